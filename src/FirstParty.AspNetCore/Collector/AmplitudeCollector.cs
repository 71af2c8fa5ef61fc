using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FirstParty.AspNetCore.Outbox;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Amplitude behind the collector: analytics-browser's <c>serverUrl</c> posts its uploads here
/// (HTTP V2 <c>/2/httpapi</c>, or <c>/batch</c>); the events get the server's device id, user id,
/// IP and user agent, and are sent on to Amplitude merged across visitors into requests of at
/// most 2000 events and under 1 MB.
/// </summary>
internal sealed class AmplitudeCollector(IOptions<FirstPartyOptions> options) : ICollectorVendor
{
    public const string VendorName = "amplitude";

    private static readonly CollectorRoute[] AllRoutes =
    [
        new("/2/httpapi", HttpMethods.Post, "httpapi"),
        new("/batch", HttpMethods.Post, "batch"),
    ];

    public string Name => VendorName;

    public IReadOnlyList<CollectorRoute> Routes => AllRoutes;

    public CollectorVendorOptions OptionsOf(CollectorOptions collector) => collector.Amplitude;

    public string DefaultConsent(FirstPartyOptions options) => options.Providers.Amplitude.Category;

    public CollectorAccept Accept(CollectorHit hit)
        => AmplitudeUpload.Read(hit.Body, hit.Route.Pattern, options.Value.Providers.Amplitude.ApiKey, hit.Granted ? hit.Visitor : null, hit.Now);

    /// <summary>
    /// Amplitude's success body, whether the events were queued or dropped for consent: the SDK reads
    /// the status from <c>code</c> and would send a batch it cannot read (even <c>{}</c>) up to five times.
    /// </summary>
    public IResult Answer(CollectorHit hit, CollectorAccept accepted)
        => Results.Text(
            string.Create(CultureInfo.InvariantCulture, $"{{\"code\":200,\"events_ingested\":{accepted.Events},\"payload_size_bytes\":{hit.Body.Length},\"server_upload_time\":{hit.Now.ToUnixTimeMilliseconds()}}}"),
            "application/json",
            Encoding.UTF8,
            StatusCodes.Status200OK);

    public IEnumerable<UpstreamRequest> CreateRequests(Uri upstream, IReadOnlyList<CollectorEnvelope> batch)
    {
        // One request per project, endpoint and options, filled up to Amplitude's limits; every
        // event keeps its insert_id, so a retried request is deduplicated by Amplitude.
        var open = new Dictionary<(string Path, string ApiKey, string? Options), Pending>();
        for (var i = 0; i < batch.Count; i++)
        {
            var envelope = batch[i];
            using var document = JsonDocument.Parse(envelope.Body ?? "{}");
            var root = document.RootElement;
            var apiKey = root.GetProperty("api_key").GetString()!;
            var optionsJson = root.TryGetProperty("options", out var o) ? o.GetRawText() : null;
            var eventsJson = root.GetProperty("events").GetRawText();
            var inner = eventsJson.AsSpan(1, eventsJson.Length - 2).Trim().ToString();
            var size = Encoding.UTF8.GetByteCount(inner) + 1;
            var key = (envelope.Path, apiKey, optionsJson);
            if (open.TryGetValue(key, out var pending)
                && (pending.Events + envelope.Events > AmplitudeUpload.MaxEvents || pending.Bytes + size > AmplitudeUpload.MaxRequestBytes))
            {
                yield return pending.ToRequest(upstream);
                open.Remove(key);
                pending = null;
            }

            if (pending is null)
            {
                pending = new Pending(envelope.Path, apiKey, optionsJson);
                open[key] = pending;
            }

            pending.Add(i, inner, envelope.Events, size);
        }

        foreach (var pending in open.Values)
        {
            yield return pending.ToRequest(upstream);
        }
    }

    /// <summary>
    /// Amplitude's answers: 200 taken; 400 (bad events) and 413 (too large) rejected, so the sink
    /// sends a merged request's envelopes one by one and only the bad or oversized one is dropped;
    /// 403 rejected; 408, 429 and 5xx retried (the insert_ids make that safe).
    /// </summary>
    public ValueTask<DeliveryOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        return ValueTask.FromResult(status switch
        {
            >= 200 and < 300 => DeliveryOutcome.Delivered,
            (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests => DeliveryOutcome.Retry,
            >= 400 and < 500 => DeliveryOutcome.Rejected,
            _ => DeliveryOutcome.Retry,
        });
    }

    public CollectorEnvelope? CreateEvent(TrackedEvent trackedEvent, CollectorVisitor visitor, DateTimeOffset now)
    {
        var apiKey = options.Value.Providers.Amplitude.ApiKey;
        var deviceId = visitor.Ids.AmplitudeDeviceId ?? visitor.VisitorId;
        if (apiKey is null || (deviceId is null && visitor.UserId is null))
        {
            return null;
        }

        var insertId = Guid.NewGuid().ToString();
        var url = trackedEvent.Url;
        var pageView = trackedEvent.Name == TrackedEvent.PageViewName;
        var body = AmplitudeUpload.Single(apiKey, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("event_type", pageView ? "[Amplitude] Page Viewed" : trackedEvent.Name);
            if (deviceId is not null)
            {
                writer.WriteString("device_id", deviceId);
            }

            if (visitor.UserId is not null)
            {
                writer.WriteString("user_id", visitor.UserId);
            }

            writer.WriteNumber("session_id", visitor.SessionStart?.ToUnixTimeMilliseconds() ?? -1);
            writer.WriteNumber("time", now.ToUnixTimeMilliseconds());
            writer.WriteString("insert_id", insertId);
            writer.WriteString("platform", "Web");
            writer.WriteString("library", TrackedEventPage.Library);
            if (visitor.ClientIp is not null)
            {
                writer.WriteString("ip", visitor.ClientIp);
            }

            if (visitor.UserAgent is not null)
            {
                writer.WriteString("user_agent", visitor.UserAgent);
            }

            writer.WriteStartObject("event_properties");
            if (pageView && url is not null && Uri.TryCreate(url, UriKind.Absolute, out var page))
            {
                // The names analytics-browser's page view plugin uses, so server page views share its charts.
                writer.WriteString("[Amplitude] Page Domain", page.Host);
                writer.WriteString("[Amplitude] Page Location", url);
                writer.WriteString("[Amplitude] Page Path", page.AbsolutePath);
                writer.WriteString("[Amplitude] Page URL", page.GetLeftPart(UriPartial.Path));
                if (trackedEvent.Title is not null)
                {
                    writer.WriteString("[Amplitude] Page Title", trackedEvent.Title);
                }
            }

            foreach (var (name, value) in trackedEvent.Properties)
            {
                TrackedEventProperties.Write(writer, name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        });

        return new CollectorEnvelope
        {
            Vendor = VendorName,
            QueuedAt = now,
            Path = "/2/httpapi",
            Body = body,
            ClientIp = visitor.ClientIp,
            UserAgent = visitor.UserAgent,
            IdempotencyKeys = [insertId],
        };
    }

    /// <summary>A merged request being filled.</summary>
    private sealed class Pending(string path, string apiKey, string? optionsJson)
    {
        private readonly List<int> _items = [];
        private readonly StringBuilder _events = new();

        public int Events { get; private set; }

        public int Bytes { get; private set; } = 64 + Encoding.UTF8.GetByteCount(apiKey) + (optionsJson?.Length ?? 0);

        public void Add(int item, string events, int count, int size)
        {
            if (events.Length > 0)
            {
                if (_events.Length > 0)
                {
                    _events.Append(',');
                }

                _events.Append(events);
            }

            _items.Add(item);
            Events += count;
            Bytes += size;
        }

        public UpstreamRequest ToRequest(Uri upstream)
        {
            var json = new StringBuilder(_events.Length + 128)
                .Append("{\"api_key\":\"").Append(JsonEncodedText.Encode(apiKey).ToString()).Append('"')
                .Append(",\"events\":[").Append(_events).Append(']');
            if (optionsJson is not null)
            {
                json.Append(",\"options\":").Append(optionsJson);
            }

            json.Append('}');
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json.ToString()));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var message = new HttpRequestMessage(HttpMethod.Post, CollectorUpstreamUrl.Combine(upstream, path)) { Content = content };
            return new UpstreamRequest(message, [.. _items]);
        }
    }
}
