using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Says once, at startup, when the key ring dies with the process (event 45): the mistake is
/// silent otherwise until the next redeploy makes every visitor new.
/// </summary>
internal sealed class KeyRingPersistenceCheck(KeyRingStorage storage, ILogger<KeyRingPersistenceCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (storage.Persisted)
        {
            logger.KeyRingPersisted(storage.Description);
        }
        else
        {
            logger.KeyRingNotPersisted(storage.Description);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
