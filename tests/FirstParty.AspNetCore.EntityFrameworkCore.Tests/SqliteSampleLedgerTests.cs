using System.Net;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RazorPagesSample.Data;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>The Razor Pages sample on its embedded default: the ledger in an SQLite file.</summary>
public sealed class SqliteSampleLedgerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-ef-tests", Guid.NewGuid().ToString("N"));

    private string File => Path.Combine(_folder, "App_Data", "ledger.db");

    [Fact]
    public async Task The_ledger_file_is_created_at_startup_and_receives_every_decision()
    {
        await using var factory = SampleHost.Create("Sqlite", $"Data Source={File}", _folder);
        var host = SampleHost.Client(factory);
        Assert.True(System.IO.File.Exists(File), "The SQLite file exists as soon as the app has started.");

        var browser = new SampleBrowser();
        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "accept-all"));
        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "reject-all", "/Privacy"));
        var consentId = (await browser.StateAsync(host)).GetProperty("consentId").GetString()!;

        await SampleHost.EventuallyAsync(async () => await CountAsync(factory, consentId) == 2, "both receipts are in the SQLite file");
        await using var scope = factory.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts
            .Where(r => r.ConsentId == consentId).OrderBy(r => r.Timestamp).ToListAsync();
        Assert.Equal(["accept-all", "reject-all"], rows.Select(r => r.Source));
        Assert.Equal(["/Menu", "/Privacy"], rows.Select(r => r.PagePath));
        Assert.All(rows, r => Assert.Equal(64, r.NoticeHash!.Length));
        Assert.All(rows, r => Assert.Equal("en", r.Language));
        Assert.Contains("FirstPartyTests", rows[0].UserAgent, StringComparison.Ordinal);
        Assert.NotNull(rows[0].VisitorId);
        Assert.Null(rows[1].VisitorId);
    }

    [Fact]
    public async Task The_browser_reads_its_own_history_and_forget_erases_it_from_the_file()
    {
        await using var factory = SampleHost.Create("Sqlite", $"Data Source={File}", _folder);
        var host = SampleHost.Client(factory);
        var browser = new SampleBrowser();
        await browser.ChooseAsync(host, "accept-all");
        var stranger = new SampleBrowser();
        await stranger.ChooseAsync(host, "reject-all");
        var consentId = (await browser.StateAsync(host)).GetProperty("consentId").GetString()!;
        await SampleHost.EventuallyAsync(async () => await CountAsync(factory, consentId) == 1, "the receipt is written");

        using var history = JsonDocument.Parse(await browser.GetStringAsync(host, "/_fp/consent/receipts"));
        var record = Assert.Single(history.RootElement.GetProperty("records").EnumerateArray());
        Assert.Equal(consentId, record.GetProperty("consentId").GetString());
        Assert.Equal("given", record.GetProperty("event").GetString());

        var token = (await browser.StateAsync(host, antiforgery: true)).GetProperty("antiforgery");
        using var forget = new HttpRequestMessage(HttpMethod.Post, "/_fp/forget");
        forget.Headers.Add("Cookie", string.Join("; ", browser.Cookies.Select(c => $"{c.Key}={c.Value}")));
        forget.Headers.Add(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        using var answer = await host.SendAsync(forget);
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);

        await SampleHost.EventuallyAsync(async () => await CountAsync(factory, consentId) == 0, "the forgotten browser's receipts are erased");
        var strangerId = (await stranger.StateAsync(host)).GetProperty("consentId").GetString()!;
        await SampleHost.EventuallyAsync(async () => await CountAsync(factory, strangerId) == 1, "another browser's receipt stays");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_database_made_by_the_previous_version_is_upgraded_at_startup_and_keeps_its_receipts(bool withHistory)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        await using (var old = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite($"Data Source={File}").Options))
        {
            await LedgerUpgrade.CreatePreviousSchemaAsync(old, withHistory);
        }

        SqliteConnection.ClearAllPools();
        await LedgerUpgrade.The_sample_upgrades_it_and_keeps_its_receipts("Sqlite", $"Data Source={File}", _folder, withHistory);
    }

    [Fact]
    public async Task A_database_that_lost_its_tombstone_table_keeps_decisions_in_the_spill_file_and_says_why()
    {
        // Migrated to the current schema, then the tombstone table is gone (dropped by hand, or a
        // restore that kept the history but not the table): the migrations have nothing to do.
        Directory.CreateDirectory(Path.GetDirectoryName(File)!);
        await using (var old = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite($"Data Source={File}").Options))
        {
            await old.Database.MigrateAsync();
            await old.Database.ExecuteSqlRawAsync("DROP TABLE \"FirstPartyErasureTombstones\"");
        }

        var logs = new CapturedLogs();
        await using var factory = SampleHost.Create("Sqlite", $"Data Source={File}", _folder, configure: b => b.ConfigureLogging(l => l.AddProvider(logs)));
        var host = SampleHost.Client(factory);
        var browser = new SampleBrowser();

        Assert.Equal(HttpStatusCode.OK, await browser.ChooseAsync(host, "accept-all"));
        await SampleHost.EventuallyAsync(() => Task.FromResult(Directory.Exists(Path.Combine(_folder, "spill")) && Directory.EnumerateFiles(Path.Combine(_folder, "spill")).Any(f => new FileInfo(f).Length > 0)), "the receipt is kept in the spill file");

        var missing = Assert.Single(logs.Events, e => e.Id.Id == 102 && e.Id.Name == "TombstoneTableMissing");
        Assert.Equal(LogLevel.Error, missing.Level);
        Assert.Equal("TombstoneTableMissing", missing.Id.Name, StringComparer.Ordinal);
        Assert.Contains("FirstPartyErasureTombstones", missing.Message, StringComparison.Ordinal);
        Assert.Contains(logs.Events, e => e.Id.Id == 15 && e.Id.Name == "LedgerWriteFailed" && e.Level == LogLevel.Warning);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task The_health_check_reports_the_ledger()
    {
        await using var factory = SampleHost.Create("Sqlite", $"Data Source={File}", _folder);
        var host = SampleHost.Client(factory);

        using var response = await host.GetAsync("/healthz/ledger");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_restart_on_the_same_file_keeps_every_visitor_because_the_keys_are_in_it()
        => await SampleRestart.The_restarted_host_knows_the_visitor_its_predecessor_minted("Sqlite", $"Data Source={File}", _folder);

    private static async Task<int> CountAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<RazorPagesSample.Pages.IndexModel> factory, string consentId)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts.CountAsync(r => r.ConsentId == consentId);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
