using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// The collector's delivery: per vendor the queue depth, the spill backlog, how long the oldest
/// event has waited and whether its upstream is answering. Degraded while an upstream fails or
/// events wait on disk (nothing is lost); unhealthy only when events can be neither forwarded nor kept.
/// </summary>
internal sealed class CollectorHealthCheck(CollectorForwarder forwarder) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        var failing = new List<string>();
        var losing = new List<string>();
        foreach (var (vendor, outbox) in forwarder.Outboxes)
        {
            data[vendor + ".queueDepth"] = outbox.QueueDepth;
            data[vendor + ".spilled"] = outbox.SpilledCount;
            data[vendor + ".oldestPendingSeconds"] = Math.Round(outbox.OldestPendingAge.TotalSeconds, 1);
            data[vendor + ".upstreamReachable"] = !outbox.SinkFailing;
            if (outbox.SpillFailing)
            {
                losing.Add(vendor);
            }
            else if (outbox.SinkFailing || outbox.SpilledCount > 0)
            {
                failing.Add(vendor);
            }
        }

        if (losing.Count > 0)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"Events of {string.Join(", ", losing)} can be neither forwarded nor kept on disk.", data: data));
        }

        return Task.FromResult(failing.Count > 0
            ? HealthCheckResult.Degraded($"{string.Join(", ", failing)}: the upstream is not taking events; they wait in the queue or on disk.", data: data)
            : HealthCheckResult.Healthy(forwarder.Outboxes.Count == 0 ? "The collector is off." : "Every upstream is taking events.", data));
    }
}
