using System.Diagnostics;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Delivers a batch of one vendor's envelopes: the vendor groups them into requests (batched where
/// its API allows), they are sent a few at a time, and each answer decides its envelopes' outcome.
/// A request the vendor rejects as a whole although it carried several envelopes is sent again one
/// envelope at a time, so one bad event does not take its neighbours down with it.
/// </summary>
internal sealed class CollectorUpstreamSink(
    ICollectorVendor vendor,
    Uri upstream,
    CollectorUpstreamClient client,
    FirstPartyMetrics metrics,
    ILogger logger) : IOutboxSink<CollectorEnvelope>
{
    private const int Parallelism = 8;

    public async Task DeliverAsync(IReadOnlyList<CollectorEnvelope> batch, DeliveryOutcome[] outcomes, CancellationToken cancellationToken)
    {
        var requests = vendor.CreateRequests(upstream, batch).ToList();
        await Parallel.ForEachAsync(
            requests,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (request, token) =>
            {
                var outcome = await SendAsync(request, batch, token).ConfigureAwait(false);
                if (outcome == DeliveryOutcome.Rejected && request.Items.Length > 1)
                {
                    // Find the envelope the vendor objects to; the others still go.
                    foreach (var item in request.Items)
                    {
                        foreach (var single in vendor.CreateRequests(upstream, [batch[item]]))
                        {
                            outcomes[item] = await SendAsync(single with { Items = [item] }, batch, token).ConfigureAwait(false);
                        }
                    }

                    return;
                }

                foreach (var item in request.Items)
                {
                    outcomes[item] = outcome;
                }
            }).ConfigureAwait(false);
    }

    private async Task<DeliveryOutcome> SendAsync(UpstreamRequest request, IReadOnlyList<CollectorEnvelope> batch, CancellationToken cancellationToken)
    {
        var events = 0;
        foreach (var item in request.Items)
        {
            events += batch[item].Events;
        }

        using var activity = FirstPartyActivities.Source.StartActivity(FirstPartyActivities.CollectorForward, ActivityKind.Client);
        activity?.SetTag("firstparty.collector.vendor", vendor.Name);
        activity?.SetTag("firstparty.collector.events", events);
        using var message = request.Message;
        try
        {
            using var response = await client.SendAsync(message, cancellationToken).ConfigureAwait(false);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            var outcome = await vendor.ClassifyAsync(response, cancellationToken).ConfigureAwait(false);
            switch (outcome)
            {
                case DeliveryOutcome.Delivered:
                    metrics.CollectorForwarded(vendor.Name, events);
                    break;
                case DeliveryOutcome.Rejected:
                    activity?.SetStatus(ActivityStatusCode.Error, "rejected");
                    if (request.Items.Length == 1)
                    {
                        // Counted by the outbox's observer, once per envelope.
                        logger.CollectorUpstreamRejected(vendor.Name, events, (int)response.StatusCode);
                    }

                    break;
                default:
                    activity?.SetStatus(ActivityStatusCode.Error, "retry");
                    metrics.CollectorRetried(vendor.Name, events);
                    logger.CollectorUpstreamFailed(vendor.Name, events, $"HTTP {(int)response.StatusCode}", null);
                    break;
            }

            return outcome;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException && !cancellationToken.IsCancellationRequested)
        {
            FirstPartyActivities.Failed(activity, ex);
            metrics.CollectorRetried(vendor.Name, events);
            logger.CollectorUpstreamFailed(vendor.Name, events, ex.GetType().Name, ex);
            return DeliveryOutcome.Retry;
        }
    }
}
