using System.Globalization;
using System.Net;
using System.Text;
using FirstParty.AspNetCore.Outbox;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Google Analytics 4 behind the collector: gtag's <c>transport_url</c> sends its <c>/g/collect</c>
/// hits here; they get the server's client id and user id, the visitor's IP as <c>_uip</c> (per the
/// settings) and user agent, and go on to Google one hit per request (hits of different visitors
/// cannot share one: the client id and the IP are per request).
/// </summary>
internal sealed class GoogleAnalyticsCollector(IOptions<FirstPartyOptions> options) : ICollectorVendor
{
    public const string VendorName = "ga4";

    private static readonly CollectorRoute[] AllRoutes =
    [
        new(GoogleAnalyticsHits.Path, HttpMethods.Get, "collect"),
        new(GoogleAnalyticsHits.Path, HttpMethods.Post, "collect"),
    ];

    public string Name => VendorName;

    public IReadOnlyList<CollectorRoute> Routes => AllRoutes;

    public CollectorVendorOptions OptionsOf(CollectorOptions collector) => collector.GoogleAnalytics;

    public string DefaultConsent(FirstPartyOptions options) => options.Providers.GoogleAnalytics.Category;

    public CollectorAccept Accept(CollectorHit hit)
        => GoogleAnalyticsHits.Read(
            hit.Context.Request.QueryString.Value ?? string.Empty,
            hit.Body.Span,
            options.Value.Providers.GoogleAnalytics.MeasurementId,
            hit.Granted ? hit.Visitor : null,
            hit.Now);

    /// <summary>204, as Google's collect endpoints answer (gtag does not read it), also when dropped for consent.</summary>
    public IResult Answer(CollectorHit hit, CollectorAccept accepted) => Results.NoContent();

    public IEnumerable<UpstreamRequest> CreateRequests(Uri upstream, IReadOnlyList<CollectorEnvelope> batch)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            var envelope = batch[i];
            var message = new HttpRequestMessage(envelope.Body is null ? HttpMethod.Get : HttpMethod.Post, CollectorUpstreamUrl.Combine(upstream, envelope.Path, envelope.Query));
            if (envelope.Body is { } body)
            {
                message.Content = new StringContent(body, Encoding.UTF8, "text/plain");
            }

            if (envelope.UserAgent is { } userAgent)
            {
                // Google derives browser and device from the request's User-Agent, which is this server's otherwise.
                message.Headers.TryAddWithoutValidation(HeaderNames.UserAgent, userAgent);
            }

            yield return new UpstreamRequest(message, [i]);
        }
    }

    /// <summary>2xx taken; 408 and 429 retried; any other 4xx rejected (the hit is bad); the rest retried.</summary>
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
        if (options.Value.Providers.GoogleAnalytics.MeasurementId is not { } measurementId || visitor.Ids.GoogleAnalyticsClientId is not { } clientId)
        {
            return null;
        }

        List<KeyValuePair<string, string>> parameters =
        [
            new("v", "2"),
            new("tid", measurementId),
            new("cid", clientId),
            new("en", trackedEvent.Name),
        ];
        if (visitor.UserId is { } userId)
        {
            parameters.Add(new("uid", userId));
        }

        if (visitor.SessionStart is { } sessionStart)
        {
            parameters.Add(new("sid", sessionStart.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        }

        if (visitor.SessionIndex > 0)
        {
            parameters.Add(new("sct", visitor.SessionIndex.ToString(CultureInfo.InvariantCulture)));
        }

        if (trackedEvent.Url is { } url)
        {
            parameters.Add(new("dl", url));
        }

        if (trackedEvent.Referrer is { } referrer)
        {
            parameters.Add(new("dr", referrer));
        }

        if (trackedEvent.Title is { } title)
        {
            parameters.Add(new("dt", title));
        }

        foreach (var (name, value) in trackedEvent.Properties)
        {
            parameters.Add(new((TrackedEventProperties.IsNumber(value) ? "epn." : "ep.") + name, TrackedEventProperties.Text(value)));
        }

        if (visitor.ClientIp is { } ip)
        {
            parameters.Add(new("_uip", ip));
        }

        return new CollectorEnvelope
        {
            Vendor = VendorName,
            QueuedAt = now,
            Path = GoogleAnalyticsHits.Path,
            Query = "?" + GoogleAnalyticsHits.Format(parameters),
            ClientIp = visitor.ClientIp,
            UserAgent = visitor.UserAgent,
        };
    }
}
