using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using FirstParty.AspNetCore.Outbox;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Plausible behind the collector: the script's <c>data-api</c> posts its events here (JSON with
/// long or short keys, sent as <c>text/plain</c>); they go on to Plausible's Events API one per
/// request with the visitor's <c>User-Agent</c> and one <c>X-Forwarded-For</c>, the two values
/// Plausible's cookieless visitor hash is made of. Plausible's script sets no id, so nothing in
/// the body is rewritten.
/// </summary>
internal sealed class PlausibleCollector(IOptions<FirstPartyOptions> options) : ICollectorVendor
{
    public const string VendorName = "plausible";

    private const string EventPath = "/api/event";

    private static readonly CollectorRoute[] AllRoutes = [new(EventPath, HttpMethods.Post, "event")];

    public string Name => VendorName;

    public IReadOnlyList<CollectorRoute> Routes => AllRoutes;

    public CollectorVendorOptions OptionsOf(CollectorOptions collector) => collector.Plausible;

    public string DefaultConsent(FirstPartyOptions options) => options.Providers.Plausible.Category;

    public CollectorAccept Accept(CollectorHit hit)
    {
        using var document = JsonDocument.Parse(hit.Body);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return CollectorAccept.Malformed("The body is not a JSON object.");
        }

        if (Text(root, "name", "n") is not { Length: > 0 and <= 120 })
        {
            return CollectorAccept.Malformed("name (n) must be a string of 1 to 120 characters.");
        }

        if (Text(root, "url", "u") is not { Length: > 0 and <= 4096 } url
            || !Uri.TryCreate(url, UriKind.Absolute, out var page) || (page.Scheme != Uri.UriSchemeHttps && page.Scheme != Uri.UriSchemeHttp))
        {
            return CollectorAccept.Malformed("url (u) must be an absolute http(s) URL.");
        }

        if (Text(root, "domain", "d") is not { Length: > 0 and <= 1024 } domain)
        {
            return CollectorAccept.Malformed("domain (d) must be the site's domain.");
        }

        if (options.Value.Providers.Plausible.Domain is { } configured && !IsConfigured(domain, configured))
        {
            // Never relay another site's events through this one.
            return CollectorAccept.Malformed("domain (d) is not this site's (FirstParty:Providers:Plausible:Domain).");
        }

        if (!hit.Granted)
        {
            return new CollectorAccept { Envelopes = [], Events = 1 };
        }

        var envelope = new CollectorEnvelope
        {
            Vendor = VendorName,
            QueuedAt = hit.Now,
            Path = EventPath,
            Body = Encoding.UTF8.GetString(hit.Body.Span),
            ClientIp = hit.Visitor.ClientIp,
            UserAgent = hit.Visitor.UserAgent,
        };
        return new CollectorAccept { Envelopes = [envelope], Events = 1 };
    }

    /// <summary>202 <c>ok</c>, as Plausible answers; an event dropped for consent is marked the way Plausible marks the events it drops.</summary>
    public IResult Answer(CollectorHit hit, CollectorAccept accepted)
    {
        if (!hit.Granted)
        {
            hit.Context.Response.Headers["x-plausible-dropped"] = "1";
        }

        return Results.Text("ok", "text/plain", Encoding.UTF8, StatusCodes.Status202Accepted);
    }

    public IEnumerable<UpstreamRequest> CreateRequests(Uri upstream, IReadOnlyList<CollectorEnvelope> batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var envelope = batch[i];
            var message = new HttpRequestMessage(HttpMethod.Post, CollectorUpstreamUrl.Combine(upstream, envelope.Path))
            {
                Content = new StringContent(envelope.Body ?? "{}", Encoding.UTF8, "application/json"),
            };
            if (envelope.UserAgent is { } userAgent)
            {
                message.Headers.TryAddWithoutValidation(HeaderNames.UserAgent, userAgent);
            }

            // One value, set here: Plausible reads the first address of the list, and the browser's own
            // X-Forwarded-For, X-Plausible-IP or CF-Connecting-IP are never copied.
            if (envelope.ClientIp is { } ip)
            {
                message.Headers.TryAddWithoutValidation("X-Forwarded-For", ip);
            }

            yield return new UpstreamRequest(message, [i]);
        }
    }

    /// <summary>2xx (202) taken; 429 and 408 retried; other 4xx (400: invalid event) rejected; the rest retried.</summary>
    public ValueTask<DeliveryOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        => ValueTask.FromResult((int)response.StatusCode switch
        {
            >= 200 and < 300 => DeliveryOutcome.Delivered,
            (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests => DeliveryOutcome.Retry,
            >= 400 and < 500 => DeliveryOutcome.Rejected,
            _ => DeliveryOutcome.Retry,
        });

    public CollectorEnvelope? CreateEvent(TrackedEvent trackedEvent, CollectorVisitor visitor, DateTimeOffset now)
    {
        if (options.Value.Providers.Plausible.Domain is not { } domain || trackedEvent.Url is not { } url)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("name", trackedEvent.Name == TrackedEvent.PageViewName ? "pageview" : trackedEvent.Name);
            writer.WriteString("url", url);
            writer.WriteString("domain", domain);
            if (trackedEvent.Referrer is { } referrer)
            {
                writer.WriteString("referrer", referrer);
            }

            if (trackedEvent.Properties.Count > 0)
            {
                writer.WriteStartObject("props");
                foreach (var (name, value) in trackedEvent.Properties)
                {
                    // Plausible drops null, array and object props; numbers and booleans are kept as given.
                    if (value is not null)
                    {
                        TrackedEventProperties.Write(writer, name, value);
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return new CollectorEnvelope
        {
            Vendor = VendorName,
            QueuedAt = now,
            Path = EventPath,
            Body = Encoding.UTF8.GetString(buffer.WrittenSpan),
            ClientIp = visitor.ClientIp,
            UserAgent = visitor.UserAgent,
        };
    }

    private static string? Text(JsonElement root, string name, string shortName)
    {
        if (root.TryGetProperty(name, out var value) || root.TryGetProperty(shortName, out value))
        {
            return value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        }

        return null;
    }

    /// <summary>Every site the event names (Plausible takes a comma-separated list) is one of the configured domain's.</summary>
    private static bool IsConfigured(string domain, string configured)
    {
        var allowed = configured.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (var site in domain.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!allowed.Contains(site, StringComparer.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
