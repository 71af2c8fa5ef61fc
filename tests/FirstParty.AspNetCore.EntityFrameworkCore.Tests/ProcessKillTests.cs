using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Npgsql;
using Xunit.Abstractions;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// The sample as a real process under load, stopped the ways an orchestrator stops it. Strict mode:
/// a decision is answered only once its receipt is durable, so even SIGKILL loses none. Background
/// mode: SIGTERM drains the queue (nothing lost); SIGKILL can lose what was queued in memory, which
/// these tests measure and bound.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ProcessKillTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Browsers = 8;
    private static readonly TimeSpan LoadBeforeStop = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RecentWindow = TimeSpan.FromSeconds(3);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-kill-tests", Guid.NewGuid().ToString("N"));
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _connectionString = await PostgresServer.CreateDatabaseAsync("fp_kill");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Strict_mode_loses_no_answered_decision_when_the_process_is_killed()
    {
        var run = await RunAsync("Strict", static p => p.KillAsync());

        Assert.Equal(0, run.Lost);
        Assert.True(run.Answered > Browsers, $"only {run.Answered} decisions were answered before the kill");
    }

    [Fact]
    public async Task Background_mode_loses_nothing_on_SIGTERM()
    {
        var run = await RunAsync("Background", static p => p.TerminateAsync());

        Assert.Equal(0, run.Lost);
    }

    [Fact]
    public async Task Background_mode_loses_at_most_the_last_moments_of_decisions_on_SIGKILL()
    {
        var run = await RunAsync("Background", static p => p.KillAsync());

        // What was queued in memory and not yet written dies with the process: the writer drains
        // the queue continuously, so that is the decisions of the moments before the kill (a
        // fraction of a second on a quiet machine, up to about two seconds on a saturated one).
        Assert.True(run.Lost <= run.AnsweredInLastSeconds, $"lost {run.Lost} receipts, more than the {run.AnsweredInLastSeconds} decisions answered in the last {RecentWindow.TotalSeconds:0} s before the kill");
    }

    private async Task<Run> RunAsync(string mode, Func<SampleProcess, Task> stop)
    {
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "PostgreSql",
            ["ConnectionStrings:Ledger"] = _connectionString,
            ["DataProtection:KeyDirectory"] = Path.Combine(_folder, "keys"),
            ["FirstParty:Ledger:Mode"] = mode,
            ["FirstParty:Ledger:SpillDirectory"] = Path.Combine(_folder, "spill"),
            ["FirstParty:Ledger:RetryDelay"] = "00:00:00.050",
            ["FirstParty:Ledger:MaxRetryDelay"] = "00:00:00.500",
        };

        var browsers = Enumerable.Range(0, Browsers).Select(_ => new DecidingBrowser()).ToList();
        DateTime stoppedAt;
        await using (var first = await SampleProcess.StartAsync(settings))
        {
            using var stopLoad = new CancellationTokenSource();
            var load = browsers.Select(b => b.RunAsync(first, stopLoad.Token)).ToList();
            await Task.Delay(LoadBeforeStop);
            stoppedAt = DateTime.UtcNow;
            await stop(first);
            await stopLoad.CancelAsync();
            await Task.WhenAll(load);
            output.WriteLine($"{mode}: stopped after {LoadBeforeStop.TotalSeconds:0} s of load.");
        }

        // The next start adopts the spill file the stopped process left and replays it.
        await using var second = await SampleProcess.StartAsync(settings);
        var answered = browsers.Sum(b => b.Answered.Count);
        var lastSecond = browsers.Sum(b => b.Answered.Count(t => t > stoppedAt.AddSeconds(-1)));
        var recent = browsers.Sum(b => b.Answered.Count(t => t > stoppedAt - RecentWindow));
        var expected = browsers.Where(b => b.ConsentId is not null).ToDictionary(b => b.ConsentId!, b => b.Answered.Count);

        // Settled: the database count stops changing (and the restarted writer has nothing pending).
        var counts = await SettleAsync(expected.Keys);
        var lost = expected.Sum(e => Math.Max(0, e.Value - counts.GetValueOrDefault(e.Key)));
        var extra = expected.Sum(e => Math.Max(0, counts.GetValueOrDefault(e.Key) - e.Value));
        output.WriteLine($"{mode}: {answered} decisions answered ({lastSecond} in the last second), {counts.Values.Sum()} receipts kept, {lost} lost, {extra} kept whose answer never arrived.");

        // A receipt kept for a decision whose answer the kill cut off is fine; one per request at most.
        Assert.True(extra <= Browsers, $"{extra} receipts more than answers: duplicates?");
        await AssertNoDuplicatesAsync();
        return new Run(answered, recent, lost);
    }

    private async Task<Dictionary<string, int>> SettleAsync(IEnumerable<string> consentIds)
    {
        var ids = consentIds.ToArray();
        var previous = -1;
        var stable = Stopwatch.StartNew();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var counts = await CountAsync(ids);
            var total = counts.Values.Sum();
            if (total != previous)
            {
                previous = total;
                stable.Restart();
            }
            else if (stable.Elapsed > TimeSpan.FromSeconds(3))
            {
                return counts;
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return counts;
            }

            await Task.Delay(200);
        }
    }

    private async Task<Dictionary<string, int>> CountAsync(string[] consentIds)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""SELECT "ConsentId", COUNT(*) FROM "FirstPartyConsentReceipts" WHERE "ConsentId" = ANY(@ids) GROUP BY "ConsentId" """, connection);
        command.Parameters.AddWithValue("ids", consentIds);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts[reader.GetString(0)] = (int)reader.GetInt64(1);
        }

        return counts;
    }

    private async Task AssertNoDuplicatesAsync()
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();

        // Replays are idempotent by receipt id; the same decision must not appear under two ids either.
        await using var command = new NpgsqlCommand("""SELECT COUNT(*) FROM (SELECT 1 FROM "FirstPartyConsentReceipts" GROUP BY "ConsentId", "Timestamp", "Source" HAVING COUNT(*) > 1) d""", connection);
        Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
    }

    private sealed record Run(int Answered, int AnsweredInLastSeconds, int Lost);

    /// <summary>A browser that keeps changing its mind, as the consent script posts decisions.</summary>
    private sealed class DecidingBrowser
    {
        private readonly SampleBrowser _browser = new();

        public ConcurrentBag<DateTime> Answered { get; } = [];

        public string? ConsentId { get; private set; }

        public async Task RunAsync(SampleProcess sample, CancellationToken stop)
        {
            using var client = sample.CreateClient();
            try
            {
                var token = (await _browser.StateAsync(client, antiforgery: true)).GetProperty("antiforgery");
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var request = _browser.Request(HttpMethod.Post, "/_fp/consent");
                    request.Headers.Accept.Clear();
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                    request.Headers.TryAddWithoutValidation(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
                    request.Content = new FormUrlEncodedContent([new("choice", i % 2 == 0 ? "accept-all" : "reject-all")]);
                    using var response = await client.SendAsync(request, stop);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        continue;
                    }

                    using var state = JsonDocument.Parse(await response.Content.ReadAsStringAsync(stop));
                    _browser.Keep(response);
                    ConsentId = state.RootElement.GetProperty("consentId").GetString();
                    Answered.Add(DateTime.UtcNow);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
            {
                // The process went away mid-request: that decision was not answered.
            }
        }
    }
}
