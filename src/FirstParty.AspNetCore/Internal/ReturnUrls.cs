using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace FirstParty.AspNetCore.Internal;

/// <summary>
/// Chooses where to send the browser on this site, never off it. Every <c>Location</c> FirstParty
/// writes for its own site comes out of <see cref="LocalOrRoot"/>; the only other redirect, to a
/// sister site from <c>/_fp/link</c>, goes only to a host listed in <c>FirstParty:Linking:Domains</c>.
/// </summary>
internal static class ReturnUrls
{
    /// <summary>
    /// The current page (path base, path and query) without the named one-shot query parameters,
    /// compared without case as <see cref="HttpRequest.Query"/> compares them; <c>/</c> when that is
    /// not a local URL (a request target such as <c>//evil.example/</c> is a valid path to the server
    /// but another host to the browser).
    /// </summary>
    public static string CurrentWithout(HttpRequest request, string first, string? second = null)
    {
        var path = request.PathBase + request.Path;
        var query = request.Query;
        if (query.Count == 0)
        {
            return LocalOrRoot(path.ToString());
        }

        if (!query.ContainsKey(first) && (second is null || !query.ContainsKey(second)))
        {
            return LocalOrRoot(path + request.QueryString);
        }

        var kept = query
            .Where(q => !string.Equals(q.Key, first, StringComparison.OrdinalIgnoreCase)
                && !string.Equals(q.Key, second, StringComparison.OrdinalIgnoreCase))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)));
        return LocalOrRoot(QueryHelpers.AddQueryString(path.ToString(), kept));
    }

    /// <summary>
    /// The one rule for a redirect on this site: <paramref name="url"/> (non-ASCII percent-encoded)
    /// when it is local by <see cref="IsLocal"/>, otherwise <c>/</c>.
    /// </summary>
    public static string LocalOrRoot(string? url) => IsLocal(url) ? EncodeNonAscii(url!) : "/";

    /// <summary>
    /// The return URL when it is a local path; otherwise the path of a same-origin Referer;
    /// otherwise <c>/</c>.
    /// </summary>
    public static string Choose(string? returnUrl, HttpRequest request)
    {
        if (IsLocal(returnUrl))
        {
            return LocalOrRoot(returnUrl);
        }

        if (Uri.TryCreate(request.Headers.Referer.ToString(), UriKind.Absolute, out var referer)
            && string.Equals(referer.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(referer.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)
            && IsLocal(referer.PathAndQuery))
        {
            return LocalOrRoot(referer.PathAndQuery);
        }

        return "/";
    }

    /// <summary>
    /// A path on this site: starts with one <c>/</c>, not <c>//</c> or <c>/\</c> (protocol-relative
    /// to another host), no control characters, and the same holds once percent-decoded.
    /// </summary>
    public static bool IsLocal(string? url)
    {
        if (!IsLocalRaw(url))
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(url!);
        }
        catch (UriFormatException)
        {
            return false;
        }

        return IsLocalRaw(decoded);
    }

    /// <summary>Header values are ASCII: percent-encode anything else as UTF-8 (<c>/café</c> becomes <c>/caf%C3%A9</c>).</summary>
    internal static string EncodeNonAscii(string url)
    {
        if (System.Text.Ascii.IsValid(url))
        {
            return url;
        }

        var builder = new System.Text.StringBuilder(url.Length * 3);
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            foreach (var b in utf8[..length])
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    private static bool IsLocalRaw(string? url)
        => url is { Length: > 0 and <= 2048 }
            && url[0] == '/'
            && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
            && !url.Contains('\\', StringComparison.Ordinal)
            && !url.Any(char.IsControl);
}
