using System.Text;
using FirstParty.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// The visitor's IP address and user agent as a vendor may learn them. The IP is the connection's
/// (what the app's forwarded-headers middleware made of a trusted proxy's header), never a header
/// the client sent: a browser could otherwise choose the address the vendor records.
/// </summary>
internal static class CollectorClientInfo
{
    public static string? Ip(HttpContext context, IpForwarding forwarding)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return null;
        }

        return forwarding switch
        {
            IpForwarding.Full => (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString(),
            IpForwarding.Anonymized => IpAnonymizer.Anonymize(address),
            _ => null,
        };
    }

    public static string? UserAgent(HttpContext context, UserAgentForwarding forwarding)
    {
        if (forwarding == UserAgentForwarding.None)
        {
            return null;
        }

        var value = context.Request.Headers[HeaderNames.UserAgent].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        // A header value that could not be sent on (control characters) is not forwarded at all.
        foreach (var c in value)
        {
            if (c < 0x20 || c == 0x7f)
            {
                return null;
            }
        }

        return forwarding == UserAgentForwarding.Reduced ? Reduce(value) : value;
    }

    /// <summary>
    /// Keeps every product name and its major version and zeroes the rest of each version
    /// (<c>Chrome/131.0.6778.85</c> → <c>Chrome/131.0.0.0</c>, <c>Mac OS X 10_15_7</c> → <c>Mac OS X 10_0_0</c>),
    /// keeping the number of parts so parsers that expect them still match.
    /// </summary>
    internal static string Reduce(string userAgent)
    {
        var result = new StringBuilder(userAgent.Length);
        var i = 0;
        while (i < userAgent.Length)
        {
            var c = userAgent[i];
            if (!char.IsAsciiDigit(c) || (i > 0 && char.IsAsciiLetterOrDigit(userAgent[i - 1])))
            {
                result.Append(c);
                i++;
                continue;
            }

            // A version: the first number kept, every later number of the same dotted/underscored run zeroed.
            var start = i;
            while (i < userAgent.Length && char.IsAsciiDigit(userAgent[i]))
            {
                i++;
            }

            result.Append(userAgent, start, i - start);
            while (i + 1 < userAgent.Length && (userAgent[i] == '.' || userAgent[i] == '_') && char.IsAsciiDigit(userAgent[i + 1]))
            {
                result.Append(userAgent[i]).Append('0');
                i++;
                while (i < userAgent.Length && char.IsAsciiDigit(userAgent[i]))
                {
                    i++;
                }
            }
        }

        return result.ToString();
    }
}
