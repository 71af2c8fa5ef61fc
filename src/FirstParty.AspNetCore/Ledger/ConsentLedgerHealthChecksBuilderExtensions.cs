using FirstParty.AspNetCore.Ledger;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the consent ledger's health check.</summary>
public static class ConsentLedgerHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check named <paramref name="name"/> that reports the ledger's store reachability,
    /// queue depth, spill backlog and the age of the oldest receipt not yet written.
    /// </summary>
    public static IHealthChecksBuilder AddConsentLedger(this IHealthChecksBuilder builder, string name = "consent-ledger", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<ConsentLedgerHealthCheck>(name, failureStatus, tags ?? []);
    }
}
