using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Server-side events: the same consent check, ids and outbox as the collector's endpoints, with
/// the event built by each vendor in its own format.
/// </summary>
internal sealed class FirstPartyTracker(
    IOptions<FirstPartyOptions> options,
    IEnumerable<ICollectorVendor> vendors,
    CollectorForwarder forwarder,
    CollectorVisitors visitors,
    FirstPartyMetrics metrics,
    TimeProvider time) : IFirstPartyTracker
{
    public async ValueTask<TrackResult> TrackAsync(HttpContext context, TrackedEvent trackedEvent)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(trackedEvent);
        var collector = options.Value.Collector;
        List<string> queued = [], refused = [];
        if (!collector.Enabled)
        {
            return new TrackResult(queued, refused);
        }

        var now = time.GetUtcNow();
        trackedEvent = WithRequestDefaults(trackedEvent, context.Request);
        foreach (var vendor in vendors)
        {
            var settings = vendor.OptionsOf(collector);
            if (settings.Upstream is null || (trackedEvent.Vendors is { Count: > 0 } only && !only.Contains(vendor.Name, StringComparer.OrdinalIgnoreCase)))
            {
                continue;
            }

            if (!visitors.IsGranted(context, vendor))
            {
                refused.Add(vendor.Name);
                metrics.CollectorDropped(vendor.Name, "consent", 1);
                continue;
            }

            if (vendor.CreateEvent(trackedEvent, visitors.Describe(context, settings), now) is not { } envelope)
            {
                continue;
            }

            await forwarder.EnqueueAsync(vendor, envelope).ConfigureAwait(false);
            metrics.CollectorAccepted(vendor.Name, envelope.Events);
            queued.Add(vendor.Name);
        }

        return new TrackResult(queued, refused);
    }

    /// <summary>
    /// The event as every vendor gets it: its URL absolute (a path is resolved against the request's
    /// origin) or the request's URL when it has none, and the request's <c>Referer</c> when it has no referrer.
    /// </summary>
    private static TrackedEvent WithRequestDefaults(TrackedEvent trackedEvent, HttpRequest request)
    {
        var origin = request.Host.HasValue ? $"{request.Scheme}://{request.Host}{request.PathBase}" : null;
        var url = trackedEvent.Url is { } given ? TrackedEventPage.Absolute(given, origin) : origin is null ? null : request.GetEncodedUrl();
        var referrer = trackedEvent.Referrer ?? (request.Headers.Referer.ToString() is { Length: > 0 } header ? header : null);
        if (url == trackedEvent.Url && ReferenceEquals(referrer, trackedEvent.Referrer))
        {
            return trackedEvent;
        }

        return new TrackedEvent(trackedEvent.Name)
        {
            Url = url,
            Title = trackedEvent.Title,
            Referrer = referrer,
            Properties = trackedEvent.Properties,
            Vendors = trackedEvent.Vendors,
        };
    }
}
