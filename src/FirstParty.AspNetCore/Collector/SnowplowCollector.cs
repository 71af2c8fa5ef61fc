using System.Net.Http.Headers;
using FirstParty.AspNetCore.Outbox;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Snowplow behind the collector: the browser tracker's <c>tp2</c> posts and <c>/i</c> pixels, and its
/// cookie extension service. Hits are validated as Enrich validates them, get the server's
/// <c>duid</c>/<c>sid</c>/<c>vid</c>/<c>uid</c>, lose the fields a client must not choose
/// (<c>nuid</c>, <c>tnuid</c>, <c>ip</c>, <c>ua</c>), and go upstream as <c>tp2</c> posts carrying the
/// network user id (the <c>sp</c> cookie this site owns) as <c>?nuid=</c>, the IP as one trusted
/// <c>X-Forwarded-For</c> and the user agent as <c>User-Agent</c>.
/// </summary>
internal sealed class SnowplowCollector(IOptions<FirstPartyOptions> options, SnowplowNetworkCookie cookie) : ICollectorVendor
{
    public const string Tp2Path = "/com.snowplowanalytics.snowplow/tp2";

    /// <summary>What the tracker fills a post up to (<c>maxPostBytes</c>); upstream posts keep to it too.</summary>
    internal const int MaxPostBytes = 40_000;

    /// <summary>What <c>X-Forwarded-For</c> says when no IP may be forwarded (see <c>docs/collector.md</c>).</summary>
    internal const string UnknownAddress = "unknown";

    private const string AnonymousHeader = "SP-Anonymous";
    private const string Tp2 = "tp2";
    private const string Pixel = "pixel";
    private const string CookieExtension = "cookie-extension";

    private static readonly CollectorRoute[] AllRoutes =
    [
        new(Tp2Path, HttpMethods.Post, Tp2),
        new("/i", HttpMethods.Get, Pixel),
        new("/cookie-extension", HttpMethods.Get, CookieExtension),
    ];

    /// <summary>A 1×1 transparent GIF, what Snowplow's collector answers a pixel with.</summary>
    private static readonly byte[] TransparentGif =
    [
        0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, // header, 1×1, a 2-colour table
        0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, // the colour table
        0x21, 0xF9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, // colour 0 is transparent
        0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, // the image
        0x02, 0x02, 0x44, 0x01, 0x00, // its one pixel
        0x3B,
    ];

    public string Name => "snowplow";

    public IReadOnlyList<CollectorRoute> Routes => AllRoutes;

    public CollectorVendorOptions OptionsOf(CollectorOptions collector) => collector.Snowplow;

    public string DefaultConsent(FirstPartyOptions options) => options.Providers.Snowplow.Category;

    public CollectorAccept Accept(CollectorHit hit)
    {
        var context = hit.Context;

        // The tracker sends the header on every request of an anonymised batch; any value counts, as at the collector.
        var anonymous = context.Request.Headers.ContainsKey(AnonymousHeader);
        if (hit.Route.Kind == CookieExtension)
        {
            // The tracker calls it without SP-Anonymous even in anonymous mode: consent alone decides.
            if (hit.Granted)
            {
                cookie.Set(context, hit.Visitor.NetworkUserId, hit.Now);
            }

            return new CollectorAccept { Envelopes = [] };
        }

        var ids = hit.Granted ? SnowplowPayload.ServerIds.From(hit.Visitor, anonymous) : (SnowplowPayload.ServerIds?)null;
        if (hit.Route.Kind == Tp2 && !SnowplowPayload.IsAcceptedContentType(context.Request.ContentType))
        {
            return CollectorAccept.Malformed("The Content-Type must be application/json (UTF-8) or text/plain.");
        }

        var error = hit.Route.Kind == Tp2
            ? SnowplowPayload.ReadPost(hit.Body, ids, out var events)
            : SnowplowPayload.ReadQuery(context.Request.Query, ids, out events);
        if (error is not null)
        {
            return CollectorAccept.Malformed(error);
        }

        if (!hit.Granted)
        {
            // Nothing is forwarded and no sp is written; the gate deletes one the browser still holds.
            return new CollectorAccept { Envelopes = [], Events = events.Count };
        }

        string? networkUserId = null;
        if (anonymous)
        {
            cookie.Expire(context);
        }
        else
        {
            networkUserId = cookie.Set(context, hit.Visitor.NetworkUserId, hit.Now);
        }

        var envelope = new CollectorEnvelope
        {
            Vendor = Name,
            QueuedAt = hit.Now,
            Path = Tp2Path,
            Body = events.Events,
            NetworkUserId = networkUserId,
            Anonymous = anonymous,
            ClientIp = anonymous ? null : hit.Visitor.ClientIp,
            UserAgent = hit.Visitor.UserAgent,
            IdempotencyKeys = events.EventIds,
            Events = events.Count,
        };
        return new CollectorAccept { Envelopes = [envelope], Events = events.Count, IdsReplaced = events.IdsReplaced };
    }

    public IResult Answer(CollectorHit hit, CollectorAccept accepted)
    {
        var headers = hit.Context.Response.Headers;
        switch (hit.Route.Kind)
        {
            case Pixel:
                headers.CacheControl = "no-cache, no-store, must-revalidate";
                return Results.Bytes(TransparentGif, "image/gif");
            case CookieExtension:
                // It sets a cookie: never from a cache.
                headers.CacheControl = "no-store";
                return Results.Text("ok", "text/plain");
            default:
                return Results.Text("ok", "text/plain");
        }
    }

    public IEnumerable<UpstreamRequest> CreateRequests(Uri upstream, IReadOnlyList<CollectorEnvelope> batch)
    {
        // One post per visitor as Snowplow's collector sees one: same network id, anonymity, IP and user agent.
        var groups = new Dictionary<(string?, bool, string?, string?), List<int>>();
        var order = new List<List<int>>();
        for (var i = 0; i < batch.Count; i++)
        {
            var envelope = batch[i];
            var key = (envelope.NetworkUserId, envelope.Anonymous, envelope.ClientIp, envelope.UserAgent);
            if (!groups.TryGetValue(key, out var items))
            {
                groups[key] = items = [];
                order.Add(items);
            }

            items.Add(i);
        }

        foreach (var items in order)
        {
            // Within the tracker's post size; one hit larger than that still goes, alone.
            var start = 0;
            var bytes = 0;
            for (var i = 0; i < items.Count; i++)
            {
                var size = System.Text.Encoding.UTF8.GetByteCount(batch[items[i]].Body ?? string.Empty);
                if (i > start && bytes + size > MaxPostBytes - 88)
                {
                    yield return Create(upstream, batch, items.GetRange(start, i - start));
                    start = i;
                    bytes = 0;
                }

                bytes += size;
            }

            yield return Create(upstream, batch, items.GetRange(start, items.Count - start));
        }
    }

    public ValueTask<DeliveryOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        return ValueTask.FromResult(status switch
        {
            >= 200 and < 300 => DeliveryOutcome.Delivered,

            // What the tracker itself never retries, and a body the collector will never take.
            400 or 401 or 403 or 410 or 413 or 422 => DeliveryOutcome.Rejected,
            _ => DeliveryOutcome.Retry,
        });
    }

    public CollectorEnvelope? CreateEvent(TrackedEvent trackedEvent, CollectorVisitor visitor, DateTimeOffset now)
    {
        var fields = SnowplowServerEvent.Fields(trackedEvent, visitor, options.Value.Providers.Snowplow.AppId, now, out var eventId);
        return new CollectorEnvelope
        {
            Vendor = Name,
            QueuedAt = now,
            Path = Tp2Path,
            Body = SnowplowPayload.Write(fields),
            NetworkUserId = visitor.NetworkUserId,
            ClientIp = visitor.ClientIp,
            UserAgent = visitor.UserAgent,
            IdempotencyKeys = [eventId],
        };
    }

    private static UpstreamRequest Create(Uri upstream, IReadOnlyList<CollectorEnvelope> batch, List<int> items)
    {
        var first = batch[items[0]];
        var url = CollectorUpstreamUrl.Combine(upstream, first.Path, first.NetworkUserId is { } nuid && !first.Anonymous ? "?nuid=" + nuid : null);
        var content = new ByteArrayContent(SnowplowPayload.Envelope(items.Select(i => batch[i].Body ?? "[]")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "UTF-8" };
        var message = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (first.Anonymous)
        {
            message.Headers.TryAddWithoutValidation(AnonymousHeader, "*");
        }
        else
        {
            // The left-most X-Forwarded-For is the IP Snowplow records: exactly one, set here. Without
            // an IP to give, "unknown" makes the collector record no address rather than this server's.
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", first.ClientIp ?? UnknownAddress);
        }

        if (first.UserAgent is { } userAgent)
        {
            message.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        return new UpstreamRequest(message, [.. items]);
    }
}
