using Microsoft.Extensions.Hosting;

namespace FirstParty.AspNetCore.Linking;

/// <summary>Warms the shared used-token store up in the background when the app starts; startup never waits for it.</summary>
internal sealed class UsedLinkTokensWarmUp(UsedLinkTokens tokens) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => tokens.WarmUpAsync(stoppingToken);
}
