using FirstParty.AspNetCore.Collector;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the collector's health check.</summary>
public static class CollectorHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds <c>firstparty-collector</c>: healthy while every vendor's upstream takes events, degraded
    /// while one fails or events wait on disk, unhealthy when events can be neither forwarded nor kept.
    /// </summary>
    public static IHealthChecksBuilder AddFirstPartyCollector(this IHealthChecksBuilder builder, string name = "firstparty-collector", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<CollectorHealthCheck>(name, failureStatus, tags ?? []);
    }
}
