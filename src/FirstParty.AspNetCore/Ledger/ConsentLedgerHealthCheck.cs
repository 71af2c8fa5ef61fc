using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// Healthy while the store answers and receipts flow; degraded while receipts wait in the spill
/// file, the queue is more than 80% full or the oldest has waited over a minute; unhealthy while
/// the store does not answer.
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

        if (!reachable)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The consent ledger's store does not answer; receipts are kept in the spill file.", failure, data);
        }

        if (writer.SpilledCount > 0 || depth > options.Value.Ledger.QueueCapacity * 8 / 10 || age > SlowAge)
        {
            return HealthCheckResult.Degraded("Consent receipts are waiting to be written.", data: data);
        }

        return HealthCheckResult.Healthy("Consent receipts are being written.", data);
    }
}
