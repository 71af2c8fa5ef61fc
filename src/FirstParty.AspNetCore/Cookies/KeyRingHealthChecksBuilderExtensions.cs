using FirstParty.AspNetCore.Cookies;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the health check of the Data Protection key ring that signs FirstParty's cookies.</summary>
public static class KeyRingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check named <paramref name="name"/> that reports where the key ring is kept and
    /// whether it survives a restart (degraded when it does not), the number of usable keys and when
    /// the current one expires. <paramref name="failureStatus"/> applies while the key store cannot be read.
    /// </summary>
    public static IHealthChecksBuilder AddFirstPartyKeyRing(this IHealthChecksBuilder builder, string name = "firstparty-key-ring", HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<KeyRingHealthCheck>(name, failureStatus, tags ?? []);
    }
}
