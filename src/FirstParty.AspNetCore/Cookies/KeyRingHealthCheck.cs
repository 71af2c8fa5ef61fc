using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Healthy while the key ring is kept somewhere that survives the process; degraded when it is not
/// (the site works, but the next restart makes every visitor new); the registration's failure status
/// while the key store cannot be read. The key count and expiry come from the snapshot the cookies
/// already use, so a probe does not query the key store.
/// </summary>
internal sealed class KeyRingHealthCheck(KeyRingStorage storage, CookieKeyRing keyRing) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object>
        {
            ["persisted"] = storage.Persisted,
            ["repository"] = storage.Repository,
        };
        if (storage.Location is { } location)
        {
            data["location"] = location;
        }

        var summary = keyRing.Describe();
        if (summary is { } ring)
        {
            data["keys"] = ring.Keys;
            if (ring.CurrentExpires is { } expires)
            {
                data["currentKeyExpires"] = expires.ToString("O", CultureInfo.InvariantCulture);
            }

            if (ring.ReadFailed)
            {
                return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus,
                    "The Data Protection key store cannot be read; cookies are signed and verified with the keys loaded before.", data: data));
            }
        }

        if (!storage.Persisted)
        {
            return Task.FromResult(HealthCheckResult.Degraded(
                $"The Data Protection key ring is not persisted: {storage.Description}. A restart makes every visitor new.", data: data));
        }

        return Task.FromResult(HealthCheckResult.Healthy($"The Data Protection key ring is persisted: {storage.Description}.", data));
    }
}
