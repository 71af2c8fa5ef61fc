using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// Healthy while the store answers and receipts flow; degraded while receipts are safe but waiting:
/// in the spill file (the store down included), a queue more than 80% full, the oldest over a
/// minute; unhealthy only when receipts are being lost (neither the store nor the spill file takes
/// them). A store outage is not unhealthy: every instance of a farm loses the database together, and
/// an unhealthy readiness probe on all of them would take a site down that still works.
/// </summary>
internal sealed class ConsentLedgerHealthCheck(ConsentLedgerWriter writer, IOptions<FirstPartyOptions> options) : IHealthCheck
{
    private static readonly TimeSpan SlowAge = TimeSpan.FromMinutes(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var reachable = false;
        Exception? failure = null;
        try
        {
            reachable = await writer.Store.IsReachableAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = ex;
        }

        var depth = writer.QueueDepth;
        var age = writer.OldestPendingAge;
        var data = new Dictionary<string, object>
        {
            ["queueDepth"] = depth,
            ["queueCapacity"] = options.Value.Ledger.QueueCapacity,
            ["spilled"] = writer.SpilledCount,
            ["oldestPendingSeconds"] = Math.Round(age.TotalSeconds, 3),
            ["storeReachable"] = reachable,
        };

        data["spillFailing"] = writer.SpillFailing;
        if (writer.SpillFailing)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Consent receipts are being lost: neither the store nor the spill file takes them.", failure, data);
        }

        if (!reachable)
        {
            return HealthCheckResult.Degraded("The consent ledger's store does not answer; receipts are kept in the spill file.", failure, data);
        }

        if (writer.SpilledCount > 0 || depth > options.Value.Ledger.QueueCapacity * 8 / 10 || age > SlowAge)
        {
            return HealthCheckResult.Degraded("Consent receipts are waiting to be written.", data: data);
        }

        return HealthCheckResult.Healthy("Consent receipts are being written.", data);
    }
}
