using System.Diagnostics;
using System.Net.Http;
using Xunit.Abstractions;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// The collector of the sample, run as a real process, under load from several visitors who
/// accepted analytics, while the vendors' collectors (a stub in the test) go away or the process is
/// stopped. What the collector answered as a success must reach the vendor, exactly once by the
/// vendor's idempotency key (Snowplow <c>eid</c>, Amplitude <c>insert_id</c>).
/// </summary>
/// <remarks>In the PostgreSQL tests' collection only so that they never run beside the other load tests.</remarks>
[Collection(PostgresCollection.Name)]
public sealed class CollectorFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Senders = 6;
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(100);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-collector-faults", Guid.NewGuid().ToString("N"));
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private string SpillDirectory => Path.Combine(_folder, "collector");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Every_accepted_event_is_delivered_once_after_the_upstream_was_down_for_a_minute()
    {
        await using var upstream = await UpstreamStub.StartAsync(_clock);
        await using var sample = await SampleProcess.StartAsync(Settings(upstream));
        using var client = sample.CreateClient();
        var senders = await PrepareAsync(client);

        using var stopLoad = new CancellationTokenSource();
        var load = senders.Select(s => s.RunAsync(client, _clock, SendInterval, stopLoad.Token)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(5));

        // Down for 60 s under load: first the connections are refused, then the vendor answers 503.
        var downAt = _clock.Elapsed;
        await upstream.StopListeningAsync();
        var health = new List<string>();
        var spill = new SpillPeak();
        await WatchAsync(client, health, spill, TimeSpan.FromSeconds(30));
        upstream.AnswerUnavailable(true);
        await upstream.ListenAsync();
        await WatchAsync(client, health, spill, TimeSpan.FromSeconds(30));
        var upAt = _clock.Elapsed;
        upstream.AnswerUnavailable(false);

        await Task.Delay(TimeSpan.FromSeconds(5));
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        var accepted = Merge(senders);
        var missing = await WaitForDeliveryAsync(upstream, accepted.Keys, TimeSpan.FromSeconds(60));
        var healthAfter = await WaitForHealthyAsync(client);
        var whileDown = accepted.Where(a => a.Value >= downAt && a.Value < upAt).Select(static a => a.Key).ToList();
        var recovered = whileDown.Count == 0 ? TimeSpan.Zero : whileDown.Max(k => upstream.FirstReceivedAt(k) ?? TimeSpan.Zero) - upAt;
        output.WriteLine($"accepted {accepted.Count} events ({whileDown.Count} while the upstream was down), {senders.Sum(static s => s.Failed)} hits not accepted; " +
            $"delivered {upstream.DistinctEvents} distinct, {upstream.Duplicates.Count} twice, {missing.Count} missing");
        output.WriteLine($"spill file peak: {spill.Lines} envelopes, {spill.Bytes / 1024} KiB; health while down: {string.Join(", ", health.Distinct())}; after: {healthAfter}");
        output.WriteLine($"recovery: the last event accepted while down arrived {recovered.TotalSeconds:0.0} s after the upstream came back ({upstream.Requests} upstream requests in all)");

        Assert.Empty(missing);
        Assert.Empty(upstream.Duplicates);
        Assert.True(whileDown.Count > 1000, $"only {whileDown.Count} events were accepted while the upstream was down");
        Assert.True(spill.Lines > 0, "nothing was spilled while the upstream was down for a minute");
        Assert.Contains("Degraded", health);
        Assert.DoesNotContain("Unhealthy", health);
        Assert.Equal("Healthy", healthAfter);
        Assert.Empty(SpillLines());
    }

    [Fact]
    public async Task SIGTERM_mid_load_loses_no_accepted_event()
    {
        await using var upstream = await UpstreamStub.StartAsync(_clock);
        var settings = Settings(upstream);
        var senders = new List<CollectorEventSender>();
        int deliveredBeforeExit;
        Dictionary<string, TimeSpan> accepted;
        await using (var first = await SampleProcess.StartAsync(settings))
        {
            using var client = first.CreateClient();
            senders = await PrepareAsync(client);
            using var stopLoad = new CancellationTokenSource();
            var load = senders.Select(s => s.RunAsync(client, _clock, SendInterval, stopLoad.Token)).ToList();

            // Delivered as it comes, then the vendor answers 503 so that events wait in memory
            // (queue and retries) when the stop comes: the drain must keep them on disk.
            await Task.Delay(TimeSpan.FromSeconds(3));
            upstream.AnswerUnavailable(true);
            await Task.Delay(TimeSpan.FromSeconds(2));
            await first.TerminateAsync();
            await stopLoad.CancelAsync();
            await Task.WhenAll(load);
            accepted = Merge(senders);
            deliveredBeforeExit = accepted.Keys.Count(upstream.Received);
        }

        var spilled = SpillLines().Count;
        upstream.AnswerUnavailable(false);

        // The next start adopts the spill files the stopped process left and replays them.
        await using var second = await SampleProcess.StartAsync(settings);
        var missing = await WaitForDeliveryAsync(upstream, accepted.Keys, TimeSpan.FromSeconds(60));
        output.WriteLine($"SIGTERM: {accepted.Count} events accepted, {deliveredBeforeExit} delivered before the exit, {spilled} envelopes left in the spill files, " +
            $"{accepted.Count - deliveredBeforeExit - missing.Count} delivered by the next start, {missing.Count} missing, {upstream.Duplicates.Count} twice");

        Assert.Empty(missing);
        Assert.Empty(upstream.Duplicates);
        Assert.True(deliveredBeforeExit > 0, "nothing was delivered before the upstream failed");
        Assert.True(deliveredBeforeExit < accepted.Count, "every event was delivered before the exit: the spill path was not exercised");
        Assert.True(spilled > 0, "the stopped process left no spill file");
    }

    [Fact]
    public async Task SIGKILL_mid_load_loses_at_most_the_events_held_in_memory()
    {
        await using var upstream = await UpstreamStub.StartAsync(_clock);
        var settings = Settings(upstream);
        List<CollectorEventSender> senders;
        TimeSpan killedAt;
        await using (var first = await SampleProcess.StartAsync(settings))
        {
            using var client = first.CreateClient();
            senders = await PrepareAsync(client);
            using var stopLoad = new CancellationTokenSource();
            var load = senders.Select(s => s.RunAsync(client, _clock, SendInterval, stopLoad.Token)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(4));
            killedAt = _clock.Elapsed;
            await first.KillAsync();
            await stopLoad.CancelAsync();
            await Task.WhenAll(load);
        }

        var accepted = Merge(senders);
        await using var second = await SampleProcess.StartAsync(settings);
        var missing = await WaitForDeliveryAsync(upstream, accepted.Keys, TimeSpan.FromSeconds(10));
        var recent = accepted.Count(a => a.Value > killedAt - TimeSpan.FromSeconds(3));
        var lastSecond = accepted.Count(a => a.Value > killedAt - TimeSpan.FromSeconds(1));
        output.WriteLine($"SIGKILL: {accepted.Count} events accepted ({lastSecond} in the last second), {missing.Count} lost, {upstream.Duplicates.Count} twice");

        // Only what the outbox held in memory (queued, or in the batch being sent) dies with the
        // process: with the upstream answering, that is the events of the moments before the kill.
        Assert.True(missing.Count <= recent, $"lost {missing.Count} events, more than the {recent} accepted in the last 3 s before the kill");
        Assert.Empty(upstream.Duplicates);
    }

    private Dictionary<string, string> Settings(UpstreamStub upstream) => new()
    {
        ["ConnectionStrings:Ledger"] = $"Data Source={Path.Combine(_folder, "ledger.db")}",
        ["DataProtection:KeyDirectory"] = Path.Combine(_folder, "keys"),
        ["FirstParty:Ledger:SpillDirectory"] = Path.Combine(_folder, "ledger"),
        ["FirstParty:Collector:SpillDirectory"] = SpillDirectory,
        ["FirstParty:Collector:RetryDelay"] = "00:00:00.200",

        // Bounded so that recovery after the outage is measured in seconds, not in the default
        // 30 s backoff ceiling.
        ["FirstParty:Collector:MaxRetryDelay"] = "00:00:02",
        ["FirstParty:Collector:Snowplow:Upstream"] = upstream.UpstreamOf("snowplow"),
        ["FirstParty:Collector:Amplitude:Upstream"] = upstream.UpstreamOf("amplitude"),
        ["FirstParty:Collector:GoogleAnalytics:Upstream"] = upstream.UpstreamOf("ga4"),
        ["FirstParty:Collector:Plausible:Upstream"] = upstream.UpstreamOf("plausible"),
        ["Logging:LogLevel:FirstParty"] = "Warning",
    };

    private static async Task<List<CollectorEventSender>> PrepareAsync(HttpClient client)
    {
        var senders = Enumerable.Range(0, Senders).Select(static _ => new CollectorEventSender()).ToList();
        foreach (var sender in senders)
        {
            await sender.PrepareAsync(client);
        }

        return senders;
    }

    private static Dictionary<string, TimeSpan> Merge(IEnumerable<CollectorEventSender> senders)
        => senders.SelectMany(static s => s.Accepted).ToDictionary(static a => a.Key, static a => a.Value, StringComparer.Ordinal);

    /// <summary>Polls the collector's health check and the spill folder once a second for <paramref name="duration"/>.</summary>
    private async Task WatchAsync(HttpClient client, List<string> health, SpillPeak spill, TimeSpan duration)
    {
        var end = _clock.Elapsed + duration;
        while (_clock.Elapsed < end)
        {
            health.Add(await client.GetStringAsync("/healthz/collector"));
            var lines = SpillLines();
            spill.Lines = Math.Max(spill.Lines, lines.Count);
            spill.Bytes = Math.Max(spill.Bytes, lines.Sum(static l => (long)l.Length));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    private static async Task<string> WaitForHealthyAsync(HttpClient client)
    {
        var status = string.Empty;
        for (var i = 0; i < 50 && status != "Healthy"; i++)
        {
            status = await client.GetStringAsync("/healthz/collector");
            await Task.Delay(200);
        }

        return status;
    }

    private static async Task<List<string>> WaitForDeliveryAsync(UpstreamStub upstream, IEnumerable<string> keys, TimeSpan timeout)
    {
        var pending = keys.ToList();
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            pending.RemoveAll(upstream.Received);
            if (pending.Count == 0 || deadline.Elapsed > timeout)
            {
                // A moment more, so that a second delivery of anything would be seen.
                await Task.Delay(TimeSpan.FromSeconds(1));
                return pending;
            }

            await Task.Delay(200);
        }
    }

    /// <summary>The lines of every spill file of the collector (one envelope each); the shared read lets a live outbox's file be read.</summary>
    private List<string> SpillLines()
    {
        var lines = new List<string>();
        if (!Directory.Exists(SpillDirectory))
        {
            return lines;
        }

        foreach (var file in Directory.EnumerateFiles(SpillDirectory, "*", SearchOption.AllDirectories).Where(static f => !f.EndsWith(".rejected", StringComparison.Ordinal)))
        {
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var reader = new StreamReader(stream);
                while (reader.ReadLine() is { } line)
                {
                    if (line.Length > 0)
                    {
                        lines.Add(line);
                    }
                }
            }
            catch (IOException)
            {
                // Being emptied or deleted by the outbox right now.
            }
        }

        return lines;
    }

    private sealed class SpillPeak
    {
        public int Lines { get; set; }

        public long Bytes { get; set; }
    }
}
