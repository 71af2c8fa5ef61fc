using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RazorPagesSample.Data;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// Erasure that stays erased on PostgreSQL: a receipt made before a forget never comes back,
/// whichever instance writes it and whenever (held in flight, or replayed after a restart).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ErasureAcrossInstancesTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-ef-tests", Guid.NewGuid().ToString("N"));
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _connectionString = await PostgresServer.CreateDatabaseAsync("fp_erasure");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_slow_append_on_one_store_racing_an_erasure_on_another_stores_nothing_of_the_subject()
    {
        var gate = new ReceiptInsertGate();
        await using var a = Store(db => db.UseNpgsql(_connectionString).AddInterceptors(gate));
        await using var b = Store(db => db.UseNpgsql(_connectionString));
        var ledgerA = a.GetRequiredService<IConsentLedger>();
        var ledgerB = b.GetRequiredService<IConsentLedger>();
        var erased = Receipts.Create("c-race", visitorId: "v-race");
        var kept = Receipts.Create("c-kept", visitorId: "v-kept");

        // A has read the tombstones (none yet) and is about to insert.
        var append = ledgerA.AppendAsync([erased, kept]).AsTask();
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(20));

        // Meanwhile B erases, commits, and finds nothing to erase yet.
        Assert.Equal(0, await ledgerB.EraseAsync(ReceiptSubject.Consent("c-race"), ReceiptErasure.Delete, erased.Timestamp.AddMinutes(5)).AsTask().WaitAsync(TimeSpan.FromSeconds(20)));

        gate.Release();
        await append.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Empty(await ledgerB.FindAsync(ReceiptSubject.Consent("c-race")));
        Assert.Empty(await ledgerB.FindAsync(ReceiptSubject.Visitor("v-race")));
        Assert.Single(await ledgerB.FindAsync(ReceiptSubject.Consent("c-kept")));
    }

    [Fact]
    public async Task A_decision_held_in_flight_on_A_while_B_forgets_the_browser_is_not_stored()
    {
        var keys = Path.Combine(_folder, "keys");
        var gate = new ReceiptInsertGate();
        await using var first = SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "a"), keys, Hold(gate));
        await using var second = SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "b"), keys);
        var a = SampleHost.Client(first);
        var b = SampleHost.Client(second);
        var browser = new SampleBrowser();

        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(a, "accept-all"));
        var (consentId, visitorId) = await IdsAsync(browser, a);
        await gate.Reached.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(HttpStatusCode.SeeOther, await browser.ForgetAsync(b));
        await SampleHost.EventuallyAsync(async () => await TombstonesAsync(second, consentId, visitorId) == 2, "B's erasure is committed with its tombstones");

        gate.Release();
        await SampleHost.EventuallyAsync(() => SettledAsync(first), "A's writer has nothing left in flight");

        Assert.Equal(0, await ReceiptsAsync(second, consentId, visitorId));
    }

    [Fact]
    public async Task Decisions_spilled_on_A_and_replayed_after_its_restart_stay_erased_by_a_forget_on_B()
    {
        var keys = Path.Combine(_folder, "keys");
        var spillA = Path.Combine(_folder, "a");
        await using var second = SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "b"), keys);
        var b = SampleHost.Client(second);
        var forgotten = new SampleBrowser();
        var stranger = new SampleBrowser();
        string consentId, visitorId, strangerId;

        // A cannot write receipts: they go to its spill file, and A stops with them there.
        var failing = new ReceiptInsertGate(fail: true);
        await using (var first = SampleHost.Create("PostgreSql", _connectionString, spillA, keys, Hold(failing)))
        {
            var a = SampleHost.Client(first);
            Assert.Equal(HttpStatusCode.OK, await forgotten.ChooseAsync(a, "accept-all"));
            Assert.Equal(HttpStatusCode.OK, await stranger.ChooseAsync(a, "accept-all"));
            (consentId, visitorId) = await IdsAsync(forgotten, a);
            strangerId = (await IdsAsync(stranger, a)).ConsentId;
            await SampleHost.EventuallyAsync(async () => (await LedgerHealthAsync(first)).Data["spilled"] is long spilled && spilled >= 2, "A spills both receipts");
        }

        Assert.Equal(HttpStatusCode.SeeOther, await forgotten.ForgetAsync(b));
        await SampleHost.EventuallyAsync(async () => await TombstonesAsync(second, consentId, visitorId) == 2, "B's erasure is committed with its tombstones");

        // A starts again on the same database and replays its spill file after the erasure.
        await using var restarted = SampleHost.Create("PostgreSql", _connectionString, spillA, keys);
        _ = SampleHost.Client(restarted);
        await SampleHost.EventuallyAsync(async () => await ReceiptsAsync(second, strangerId, null) == 1, "the replay stores the other browser's receipt");
        await SampleHost.EventuallyAsync(() => SettledAsync(restarted), "the replay is over");

        Assert.Equal(0, await ReceiptsAsync(second, consentId, visitorId));
    }

    private static ServiceProvider Store(Action<DbContextOptionsBuilder> database)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFirstParty().AddEntityFrameworkCoreLedger(database, o => o.EnsureCreated = true);
        return services.BuildServiceProvider();
    }

    private static Action<Microsoft.AspNetCore.Hosting.IWebHostBuilder> Hold(ReceiptInsertGate gate)
        => builder => builder.ConfigureTestServices(services => services.ConfigureDbContext<PostgreSqlSampleDbContext>(db => db.AddInterceptors(gate)));

    private static async Task<(string ConsentId, string VisitorId)> IdsAsync(SampleBrowser browser, HttpClient host)
    {
        var state = await browser.StateAsync(host);
        return (state.GetProperty("consentId").GetString()!, state.GetProperty("visitor").GetProperty("id").GetString()!);
    }

    private static async Task<HealthReportEntry> LedgerHealthAsync(WebApplicationFactory<IndexModel> factory)
    {
        var report = await factory.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "consent-ledger");
        return Assert.Single(report.Entries).Value;
    }

    private static async Task<bool> SettledAsync(WebApplicationFactory<IndexModel> factory)
    {
        var data = (await LedgerHealthAsync(factory)).Data;
        return Convert.ToInt64(data["queueDepth"], System.Globalization.CultureInfo.InvariantCulture) == 0
            && Convert.ToInt64(data["spilled"], System.Globalization.CultureInfo.InvariantCulture) == 0
            && Convert.ToDouble(data["oldestPendingSeconds"], System.Globalization.CultureInfo.InvariantCulture) == 0;
    }

    private static async Task<int> TombstonesAsync(WebApplicationFactory<IndexModel> factory, string consentId, string visitorId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ErasureTombstones
            .CountAsync(t => (t.SubjectKind == "Consent" && t.SubjectId == consentId) || (t.SubjectKind == "Visitor" && t.SubjectId == visitorId));
    }

    private static async Task<int> ReceiptsAsync(WebApplicationFactory<IndexModel> factory, string consentId, string? visitorId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts
            .CountAsync(r => r.ConsentId == consentId || (visitorId != null && r.VisitorId == visitorId));
    }
}
