using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>The Razor Pages sample with its ledger where a test wants it.</summary>
internal static class SampleHost
{
    public static WebApplicationFactory<IndexModel> Create(string provider, string connectionString, string folder, string? keyDirectory = null, Action<IWebHostBuilder>? configure = null)
        => new WebApplicationFactory<IndexModel>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Database:Provider", provider)
                .UseSetting("ConnectionStrings:Ledger", connectionString)
                .UseSetting("FirstParty:Ledger:SpillDirectory", Path.Combine(folder, "spill"))
                .UseSetting("FirstParty:Ledger:RetryDelay", "00:00:00.050")
                .UseSetting("FirstParty:Ledger:MaxRetryDelay", "00:00:00.500");
            if (keyDirectory is not null)
            {
                builder.UseSetting("DataProtection:KeyDirectory", keyDirectory);
            }

            configure?.Invoke(builder);
        });

    public static HttpClient Client(WebApplicationFactory<IndexModel> factory)
        => factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false });

    /// <summary>Waits until <paramref name="condition"/> holds, for at most <paramref name="seconds"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting until {what}.");
            }

            await Task.Delay(50);
        }
    }
}
