using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary><c>Ledger:Mode=Strict</c> through the consent endpoint: no answer before the proof is kept, no choice without proof.</summary>
public sealed class StrictModeEndpointTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    [Fact]
    public async Task The_answer_comes_after_the_receipt_is_in_the_store()
    {
        var store = new FakeConsentLedger();
        await using var app = await StartAsync(store, _directory.Path);

        var state = (await app.ChooseAsync(new CookieJar(), "accept-all", json: true)).Json();

        // No polling: the store already has it when the browser gets the answer.
        var receipt = Assert.Single(store.Stored);
        Assert.Equal(state.GetProperty("consentId").GetString(), receipt.ConsentId);
    }

    [Fact]
    public async Task With_the_store_down_the_receipt_is_in_the_spill_file_before_the_answer()
    {
        var store = new FakeConsentLedger { Failing = true };
        await using var app = await StartAsync(store, _directory.Path);

        var response = await WithClockRunningAsync(app, app.ChooseAsync(new CookieJar(), "reject-all", json: true));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var spill = Assert.Single(Directory.GetFiles(_directory.Path, "*.jsonl"));
        Assert.Contains(response.Json().GetProperty("consentId").GetString()!, File.ReadAllText(spill), StringComparison.Ordinal);
    }

    [Fact]
    public async Task When_neither_the_store_nor_the_disk_keeps_it_the_choice_is_refused_and_no_cookie_changes()
    {
        var store = new FakeConsentLedger { Failing = true };

        // A folder that cannot be created: its parent is a file.
        var blocker = Path.Combine(_directory.Path, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        await using var app = await StartAsync(store, Path.Combine(blocker, "spill"));
        var jar = new CookieJar();

        var response = await WithClockRunningAsync(app, app.ChooseAsync(jar, "accept-all", json: true));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Empty(response.RawSetCookies);
        var consent = (await app.ProbeAsync(jar)).Consent;
        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.Empty(store.Stored);
    }

    /// <summary>The retries between attempts wait on the app's (fake) clock: move it on until the answer comes.</summary>
    private static async Task<T> WithClockRunningAsync<T>(TestApp app, Task<T> request)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!request.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "The strict-mode answer never came.");
            app.Time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(5);
        }

        return await request;
    }

    private static Task<TestApp> StartAsync(FakeConsentLedger store, string spillDirectory)
        => StartConsentAppAsync(configure: o =>
        {
            o.Configuration["FirstParty:Ledger:Mode"] = "Strict";
            o.Configuration["FirstParty:Ledger:RetryDelay"] = "00:00:00.001";
            o.Configuration["FirstParty:Ledger:MaxRetryDelay"] = "00:00:00.010";
            o.Configuration["FirstParty:Ledger:SpillDirectory"] = spillDirectory;
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                services.AddSingleton<IConsentLedger>(store);
            };
        });

    public void Dispose() => _directory.Dispose();
}
