using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// A vendor outbox's metrics and logs. Per-request failures and deliveries are reported by the
/// sink, which knows the upstream's answer; what happens to events on disk, or to events the vendor
/// refused for good (once per event), is reported here.
/// </summary>
internal sealed class CollectorOutboxObserver(string vendor, FirstPartyMetrics metrics, ILogger logger) : IOutboxObserver<CollectorEnvelope>
{
    public void DeliveryFailed(int count, int attempt, Exception? exception)
    {
        // The sink logged the upstream's answer and counted the retry.
    }

    public void Rejected(CollectorEnvelope item) => metrics.CollectorFailed(vendor, "rejected", item.Events);

    public void Spilling(string? path) => logger.CollectorSpilling(vendor, path);

    public void Spilled(IReadOnlyList<CollectorEnvelope> items) => metrics.CollectorSpilled(vendor, Events(items));

    public void SpillFailed(IReadOnlyList<CollectorEnvelope> items, Exception exception)
    {
        var events = Events(items);
        metrics.CollectorFailed(vendor, "lost", events);
        logger.CollectorEventsLost(vendor, events, exception);
    }

    public void Replayed(int count)
    {
    }

    public void ReplayedFromSpill(int count) => logger.CollectorReplayed(vendor, count);

    public void AdoptedSpillFile(string path, int count) => logger.CollectorAdoptedSpillFile(vendor, path, count);

    public void SpillLineRejected(string path, int line) => logger.CollectorSpillLineRejected(vendor, path, line);

    public void ShutdownSpilled(int count) => logger.CollectorShutdownSpilled(vendor, count);

    public void LoopFailed(Exception exception) => logger.CollectorForwarderFailed(vendor, exception);

    private static int Events(IReadOnlyList<CollectorEnvelope> items)
    {
        var events = 0;
        foreach (var item in items)
        {
            events += item.Events;
        }

        return events;
    }
}
