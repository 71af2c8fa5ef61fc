using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using RazorPagesSample.Data;
using RazorPagesSample.Pages;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// The sample on PostgreSQL, the web-farm setup: the database goes away and comes back while
/// decisions keep coming, and two app instances share one database and one key ring.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresSampleLedgerTests : IAsyncLifetime
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-ef-tests", Guid.NewGuid().ToString("N"));
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _connectionString = await PostgresServer.CreateDatabaseAsync("fp_sample");
    }

    public async Task DisposeAsync()
    {
        // Never leave the shared server stopped for the next test.
        await PostgresServer.StartAsync().ContinueWith(_ => { }, TaskScheduler.Default);
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_database_made_by_the_previous_version_with_EnsureCreated_is_upgraded_at_startup_and_keeps_its_receipts()
    {
        await using (var old = new PostgreSqlSampleDbContext(new DbContextOptionsBuilder<PostgreSqlSampleDbContext>().UseNpgsql(_connectionString).Options))
        {
            await LedgerUpgrade.CreatePreviousSchemaAsync(old, withHistory: false);
        }

        await LedgerUpgrade.The_sample_upgrades_it_and_keeps_its_receipts("PostgreSql", _connectionString, _folder, withHistory: false);
    }

    [Fact]
    public async Task Decisions_made_while_the_database_is_down_are_all_kept_exactly_once()
    {
        await using var factory = SampleHost.Create("PostgreSql", _connectionString, _folder);
        var host = SampleHost.Client(factory);
        var browsers = Enumerable.Range(0, 12).Select(_ => new SampleBrowser()).ToList();

        // Up: the first decisions.
        foreach (var browser in browsers.Take(4))
        {
            Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "accept-all"));
        }

        await PostgresServer.StopAsync();
        try
        {
            // Down: every request still answers, and nobody waits for the database.
            foreach (var browser in browsers.Skip(4))
            {
                Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "reject-all"));
            }

            // The first four change their minds too.
            foreach (var browser in browsers.Take(4))
            {
                Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "reject-all"));
            }

            // Degraded, not unhealthy: the receipts are safe in the spill file, and a farm's
            // instances lose the database together (an unhealthy probe would take the site down).
            using var health = await host.GetAsync("/healthz/ledger");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            Assert.Equal("Degraded", await health.Content.ReadAsStringAsync());
        }
        finally
        {
            await PostgresServer.StartAsync();
        }

        var consentIds = new List<string>();
        foreach (var browser in browsers)
        {
            consentIds.Add((await browser.StateAsync(host)).GetProperty("consentId").GetString()!);
        }

        await SampleHost.EventuallyAsync(async () => await CountAsync(factory) == 16, "all 16 receipts reach PostgreSQL", seconds: 30);
        await using var scope = factory.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts.AsNoTracking().ToListAsync();
        Assert.Equal(16, rows.Select(r => r.ReceiptId).Distinct().Count());
        foreach (var (consentId, index) in consentIds.Select((id, i) => (id, i)))
        {
            var sources = rows.Where(r => r.ConsentId == consentId).OrderBy(r => r.Timestamp).Select(r => r.Source);
            Assert.Equal(index < 4 ? ["accept-all", "reject-all"] : ["reject-all"], sources);
        }

        await SampleHost.EventuallyAsync(async () => await host.GetStringAsync("/healthz/ledger") == "Healthy", "the health check recovers");
    }

    [Fact]
    public async Task Two_instances_sharing_the_database_and_key_ring_honour_each_others_decisions()
    {
        var keys = Path.Combine(_folder, "keys");
        await using var first = SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "a"), keys);
        await using var second = SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "b"), keys);
        var a = SampleHost.Client(first);
        var b = SampleHost.Client(second);
        var browser = new SampleBrowser();

        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(a, "accept-all"));
        var onA = await browser.StateAsync(a);
        var onB = await browser.StateAsync(b);

        // B reads the consent and visitor cookies A wrote: same decision, same visitor.
        Assert.True(onB.GetProperty("decided").GetBoolean());
        Assert.Equal(onA.GetProperty("consentId").GetString(), onB.GetProperty("consentId").GetString());
        Assert.True(onB.GetProperty("categories").GetProperty("analytics").GetBoolean());
        Assert.Equal(onA.GetProperty("visitor").GetProperty("id").GetString(), onB.GetProperty("visitor").GetProperty("id").GetString());

        // A decision through B lands in the same ledger, under the same consent id.
        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(b, "reject-all"));
        var consentId = onA.GetProperty("consentId").GetString()!;
        await SampleHost.EventuallyAsync(async () => await CountAsync(first, consentId) == 2, "both instances' receipts are in the shared database");
        using var history = System.Text.Json.JsonDocument.Parse(await browser.GetStringAsync(a, "/_fp/consent/receipts"));
        Assert.Equal(["accept-all", "reject-all"], history.RootElement.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("collectionMethod").GetString()));
    }

    [Fact]
    public async Task A_restart_on_the_same_database_keeps_every_visitor_because_the_keys_are_in_it()
        => await SampleRestart.The_restarted_host_knows_the_visitor_its_predecessor_minted("PostgreSql", _connectionString, _folder);

    private static async Task<int> CountAsync(WebApplicationFactory<IndexModel> factory, string? consentId = null)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var receipts = scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts;
        try
        {
            return consentId is null ? await receipts.CountAsync() : await receipts.CountAsync(r => r.ConsentId == consentId);
        }
        catch (Npgsql.NpgsqlException)
        {
            return -1;
        }
    }
}
