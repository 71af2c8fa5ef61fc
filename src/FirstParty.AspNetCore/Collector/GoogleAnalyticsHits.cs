using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// GA4's <c>/g/collect</c> hits as gtag.js sends them (observed; Google publishes no spec): the
/// parameters shared by the events in the query string, and either one event in the query with an
/// empty body or one URL-encoded event per body line, whose parameters override the query's.
/// </summary>
internal static class GoogleAnalyticsHits
{
    public const string Path = "/g/collect";

    private const int MaxNameLength = 128;
    private const int MaxValueLength = 8192;
    private const int MaxEventNameLength = 100;

    /// <summary>
    /// Reads a hit. With a <paramref name="visitor"/> (consent granted) the ids, user id and IP are
    /// the server's and the envelope to forward is made; without one the hit is only validated and counted.
    /// </summary>
    public static CollectorAccept Read(string query, ReadOnlySpan<byte> body, string? requiredMeasurementId, CollectorVisitor? visitor, DateTimeOffset now)
    {
        if (Parse(query) is not { } shared)
        {
            return CollectorAccept.Malformed("The query string has a parameter that is too long or empty.");
        }

        if (Find(shared, "v") != "2")
        {
            return CollectorAccept.Malformed("v must be 2 (GA4's protocol version).");
        }

        var tid = Find(shared, "tid");
        if (tid is null || tid.Length is 0 or > 32 || !tid.All(static c => char.IsAsciiLetterOrDigit(c) || c == '-'))
        {
            return CollectorAccept.Malformed("tid must be a measurement id (G-XXXXXXX).");
        }

        if (requiredMeasurementId is not null && !tid.Equals(requiredMeasurementId, StringComparison.OrdinalIgnoreCase))
        {
            // Never relay another property's hits through this site.
            return CollectorAccept.Malformed("tid is not this site's measurement id (FirstParty:Providers:GoogleAnalytics:MeasurementId).");
        }

        var lines = new List<List<KeyValuePair<string, string>>>();
        foreach (var line in Encoding.UTF8.GetString(body).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (Parse(line) is not { } parameters)
            {
                return CollectorAccept.Malformed($"Line {lines.Count + 1} of the body has a parameter that is too long or empty.");
            }

            lines.Add(parameters);
        }

        var sharedName = Find(shared, "en");
        if (lines.Count == 0 && !IsEventName(sharedName))
        {
            return CollectorAccept.Malformed("en (the event name) is missing or invalid.");
        }

        for (var i = 0; i < lines.Count; i++)
        {
            if (!IsEventName(Find(lines[i], "en") ?? sharedName))
            {
                return CollectorAccept.Malformed($"Line {i + 1} of the body has no valid en (event name).");
            }
        }

        var events = Math.Max(1, lines.Count);
        if (visitor is null)
        {
            return new CollectorAccept { Envelopes = [], Events = events };
        }

        var replaced = Rewrite(shared, visitor, shared: true);
        foreach (var line in lines)
        {
            replaced += Rewrite(line, visitor, shared: false);
        }

        var envelope = new CollectorEnvelope
        {
            Vendor = GoogleAnalyticsCollector.VendorName,
            QueuedAt = now,
            Path = Path,
            Query = "?" + Format(shared),
            Body = lines.Count == 0 ? null : string.Join('\n', lines.Select(Format)),
            ClientIp = visitor.ClientIp,
            UserAgent = visitor.UserAgent,
            Events = events,
        };
        return new CollectorAccept { Envelopes = [envelope], Events = events, IdsReplaced = replaced };
    }

    /// <summary>The parameters as a query string (without <c>?</c>), each name and value URL-encoded.</summary>
    public static string Format(List<KeyValuePair<string, string>> parameters)
    {
        var result = new StringBuilder();
        foreach (var (name, value) in parameters)
        {
            if (result.Length > 0)
            {
                result.Append('&');
            }

            result.Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return result.ToString();
    }

    /// <summary>
    /// The client id is the server's, the user id the server's when it knows one, and the IP only the
    /// one the collector sets (<c>_uip</c> in the shared parameters): a client-sent <c>_uip</c> would let
    /// the browser choose the address Google records. Returns how many client ids differed.
    /// </summary>
    private static int Rewrite(List<KeyValuePair<string, string>> parameters, CollectorVisitor visitor, bool shared)
    {
        var replaced = 0;
        var cid = visitor.Ids.GoogleAnalyticsClientId;
        var hadCid = false;
        for (var i = parameters.Count - 1; i >= 0; i--)
        {
            var (name, value) = parameters[i];
            switch (name)
            {
                case "cid" when cid is not null:
                    hadCid = true;
                    if (!string.Equals(value, cid, StringComparison.Ordinal))
                    {
                        replaced++;
                        parameters[i] = new(name, cid);
                    }

                    break;
                case "uid" when visitor.UserId is not null:
                case "_uip":
                    parameters.RemoveAt(i);
                    break;
            }
        }

        if (shared)
        {
            if (cid is not null && !hadCid)
            {
                parameters.Add(new("cid", cid));
            }

            if (visitor.UserId is { } userId)
            {
                parameters.Add(new("uid", userId));
            }

            if (visitor.ClientIp is { } ip)
            {
                parameters.Add(new("_uip", ip));
            }
        }

        return replaced;
    }

    private static List<KeyValuePair<string, string>>? Parse(string text)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var pair in new QueryStringEnumerable(text))
        {
            var name = pair.DecodeName();
            var value = pair.DecodeValue();
            if (name.Length is 0 or > MaxNameLength || value.Length > MaxValueLength)
            {
                return null;
            }

            parameters.Add(new(name.ToString(), value.ToString()));
        }

        return parameters;
    }

    private static string? Find(List<KeyValuePair<string, string>> parameters, string name)
    {
        foreach (var (key, value) in parameters)
        {
            if (key == name)
            {
                return value;
            }
        }

        return null;
    }

    private static bool IsEventName(string? name)
        => name is { Length: > 0 and <= MaxEventNameLength } && !name.Any(char.IsControl);
}
