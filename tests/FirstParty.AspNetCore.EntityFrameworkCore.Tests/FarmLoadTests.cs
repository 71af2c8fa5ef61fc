using Microsoft.AspNetCore.DataProtection;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RazorPagesSample.Data;
using RazorPagesSample.Pages;
using Xunit.Abstractions;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// A small web farm under load and faults: two instances of the Razor Pages sample on one
/// PostgreSQL database and one Redis (sessions and used link tokens), twenty browsers navigating
/// (a basket in the session included) and deciding on both, the database stopped for
/// twenty seconds, one instance stopped gracefully and started again, some browsers forgetting
/// themselves. Afterwards every decision answered has exactly one receipt, and nothing of a
/// forgotten browser remains.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FarmLoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Browsers = 20;
    private const int Forgetting = 4;
    private static readonly TimeSpan LoadTime = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan DatabaseDownAt = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DatabaseDownFor = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RestartAt = TimeSpan.FromSeconds(28);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-farm-tests", Guid.NewGuid().ToString("N"));
    private string _connectionString = string.Empty;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _connectionString = await PostgresServer.CreateDatabaseAsync("fp_farm");
    }

    public async Task DisposeAsync()
    {
        await PostgresServer.StartAsync().ContinueWith(_ => { }, TaskScheduler.Default);
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Under_load_a_database_outage_and_a_restart_lose_no_page_no_receipt_and_resurrect_no_erasure()
    {
        var keys = Path.Combine(_folder, "keys");
        var redis = Environment.GetEnvironmentVariable("FIRSTPARTY_TEST_REDIS")
            ?? throw new InvalidOperationException("FIRSTPARTY_TEST_REDIS is not set: scripts/test.sh starts a throwaway redis-server and passes its address (host:port).");
        var warnings = new WarningLog();
        void Shared(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder) => builder
            .UseSetting("Redis:Configuration", redis)
            .ConfigureLogging(logging => logging.AddProvider(warnings));

        // A farm deploys onto an existing key ring. Two instances starting at once on an empty key
        // folder would each mint a key and, until their rings refresh, not read each other's session
        // cookies: that is a test artefact, not what the farm test is about.
        DataProtectionProvider
            .Create(new DirectoryInfo(keys), static b => b.SetApplicationName("FirstParty.RazorPagesSample"))
            .CreateProtector("farm-test-key-ring").Protect("ready");

        await using var farm = new Farm(
            () => SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "a"), keys, Shared),
            () => SampleHost.Create("PostgreSql", _connectionString, Path.Combine(_folder, "b"), keys, Shared));
        var browsers = Enumerable.Range(0, Browsers).Select(i => new FarmBrowser(i, forgets: i < Forgetting)).ToList();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(LoadTime);

        var load = browsers.Select(b => b.RunAsync(farm, stop.Token)).ToList();
        var faults = RunFaultsAsync(farm, clock, stop.Token);
        await Task.WhenAll([.. load, faults]);

        var decisions = browsers.Sum(b => b.Decisions);
        var pages = browsers.Sum(b => b.Pages);
        var failures = browsers.SelectMany(b => b.Failures).ToList();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0} s: {pages} page requests, {decisions} decisions answered, {browsers.Count(b => b.Forgot)} browsers forgot themselves, {failures.Count} failures.");
        Assert.True(failures.Count == 0, "Failed requests:\n" + string.Join('\n', failures.Take(20)) + "\nWarnings and errors the instances logged (other than the database outage's):\n" + string.Join('\n', warnings.Entries.Where(static e => !e.Contains("Npgsql", StringComparison.Ordinal) && !e.Contains("EntityFrameworkCore", StringComparison.Ordinal)).Take(20)));
        Assert.True(decisions >= Browsers, $"only {decisions} decisions were made");

        // Every remembered browser's decisions are in the database exactly once; a forgotten
        // browser has nothing left, whichever instance erased and whichever appended.
        var expected = browsers.Where(b => !b.Forgot).Sum(b => b.Decisions);
        await SampleHost.EventuallyAsync(async () => await farm.CountAsync() == expected, $"the database holds the {expected} receipts of the browsers that did not forget", seconds: 60);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: settled.");
        var rows = await farm.ReceiptsAsync();
        output.WriteLine($"receipts: {rows.Count} (expected {expected}).");
        Assert.Equal(rows.Count, rows.Select(r => r.ReceiptId).Distinct().Count());
        foreach (var browser in browsers)
        {
            var own = rows.Count(r => browser.ConsentIds.Contains(r.ConsentId) || (r.VisitorId is not null && browser.VisitorIds.Contains(r.VisitorId)));
            Assert.True(own == (browser.Forgot ? 0 : browser.Decisions), $"browser {browser.Index}: {own} receipts for {browser.Decisions} decisions (forgot: {browser.Forgot}).");
        }
    }

    private async Task RunFaultsAsync(Farm farm, Stopwatch clock, CancellationToken stop)
    {
        await DelayUntilAsync(clock, DatabaseDownAt, stop);
        await PostgresServer.StopAsync();
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: PostgreSQL stopped.");
        try
        {
            await DelayUntilAsync(clock, DatabaseDownAt + DatabaseDownFor, stop);
        }
        finally
        {
            await PostgresServer.StartAsync();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: PostgreSQL started.");
        }

        // A rolling deployment: B leaves the balancer, drains, stops and comes back.
        await DelayUntilAsync(clock, RestartAt, stop);
        await farm.RestartAsync(1);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: instance B stopped gracefully and started again.");
    }

    private static async Task DelayUntilAsync(Stopwatch clock, TimeSpan at, CancellationToken stop)
    {
        var wait = at - clock.Elapsed;
        if (wait > TimeSpan.Zero)
        {
            // The fault schedule runs to its end even when the load has stopped.
            await Task.Delay(wait, CancellationToken.None);
        }

        _ = stop;
    }

    /// <summary>Two instances behind a balancer that sends no request to an instance it took out of rotation.</summary>
    private sealed class Farm : IAsyncDisposable
    {
        private readonly Func<WebApplicationFactory<IndexModel>>[] _create;
        private readonly Instance?[] _instances;
        private int _next;

        public Farm(params Func<WebApplicationFactory<IndexModel>>[] create)
        {
            _create = create;
            _instances = [.. create.Select((c, i) => new Instance(c(), (char)('A' + i)))];
        }

        /// <summary>The next instance in rotation (round robin over those up), counted in flight until disposed.</summary>
        public Lease Next()
        {
            while (true)
            {
                var start = Interlocked.Increment(ref _next);
                for (var i = 0; i < _instances.Length; i++)
                {
                    if (Volatile.Read(ref _instances[(start + i) % _instances.Length]) is { } instance && instance.TryEnter())
                    {
                        return new Lease(instance);
                    }
                }

                Thread.Yield();
            }
        }

        public async Task RestartAsync(int index)
        {
            var old = _instances[index]!;
            Volatile.Write(ref _instances[index], null);
            await old.DrainAsync();
            await old.Factory.DisposeAsync();
            var fresh = new Instance(_create[index](), (char)('A' + index));
            _ = fresh.Client;
            Volatile.Write(ref _instances[index], fresh);
        }

        public async Task<int> CountAsync()
        {
            await using var scope = _instances[0]!.Factory.Services.CreateAsyncScope();
            try
            {
                return await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts.CountAsync();
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                return -1;
            }
        }

        public async Task<List<FirstParty.AspNetCore.EntityFrameworkCore.ConsentReceiptEntity>> ReceiptsAsync()
        {
            await using var scope = _instances[0]!.Factory.Services.CreateAsyncScope();
            return await scope.ServiceProvider.GetRequiredService<SampleDbContext>().ConsentReceipts.AsNoTracking().ToListAsync();
        }

        public async ValueTask DisposeAsync()
        {
            foreach (var instance in _instances)
            {
                if (instance is not null)
                {
                    await instance.Factory.DisposeAsync();
                }
            }
        }
    }

    private sealed class Instance(WebApplicationFactory<IndexModel> factory, char name)
    {
        private static int s_generations;

        /// <summary>The instance's letter and start number, to tell in a failure which instance answered.</summary>
        public string Name { get; } = $"{name}{Interlocked.Increment(ref s_generations)}";

        private readonly Lazy<HttpClient> _client = new(() => SampleHost.Client(factory));
        private int _inFlight;
        private volatile bool _draining;

        public WebApplicationFactory<IndexModel> Factory => factory;

        public HttpClient Client => _client.Value;

        public bool TryEnter()
        {
            Interlocked.Increment(ref _inFlight);
            if (_draining)
            {
                Interlocked.Decrement(ref _inFlight);
                return false;
            }

            return true;
        }

        public void Leave() => Interlocked.Decrement(ref _inFlight);

        public async Task DrainAsync()
        {
            _draining = true;
            while (Volatile.Read(ref _inFlight) > 0)
            {
                await Task.Delay(10);
            }
        }
    }

    private readonly struct Lease(Instance instance) : IDisposable
    {
        public HttpClient Client => instance.Client;

        public string Name => instance.Name;

        public void Dispose() => instance.Leave();
    }

    /// <summary>A browser that navigates and decides on whichever instance the balancer gives it.</summary>
    private sealed class FarmBrowser(int index, bool forgets)
    {
        private static readonly string[] Choices = ["accept-all", "reject-all", "accept-all"];
        private static readonly string[] Paths = ["/", "/Menu", "/Basket", "/Privacy"];
        private readonly SampleBrowser _browser = new();
        private int _basket;

        public int Index => index;

        public int Decisions { get; private set; }

        public int Pages { get; private set; }

        public bool Forgot { get; private set; }

        public HashSet<string> ConsentIds { get; } = new(StringComparer.Ordinal);

        public HashSet<string> VisitorIds { get; } = new(StringComparer.Ordinal);

        public ConcurrentQueue<string> Failures { get; } = new();

        public async Task RunAsync(Farm farm, CancellationToken stop)
        {
            var step = 0;
            while (!stop.IsCancellationRequested)
            {
                step++;
                try
                {
                    if (step % 4 == 1)
                    {
                        await DecideAsync(farm, Choices[(index + step) % Choices.Length]);
                    }
                    else if (step % 8 == 2)
                    {
                        await AddToBasketAsync(farm);
                    }
                    else
                    {
                        await BrowseAsync(farm, Paths[step % Paths.Length]);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    Failures.Enqueue($"browser {index}, step {step}: {ex.GetType().Name}: {ex.Message}");
                }

                await Task.Delay(25 + (index * 7 % 40), CancellationToken.None);
            }

            if (forgets)
            {
                await ForgetAsync(farm);
            }
        }

        private async Task BrowseAsync(Farm farm, string path)
        {
            using var lease = farm.Next();
            using var response = await lease.Client.SendAsync(_browser.Request(HttpMethod.Get, path));
            _browser.Keep(response);
            Pages++;
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Failures.Enqueue($"browser {index}: GET {path} answered {(int)response.StatusCode}");
            }
        }

        /// <summary>Adds to the session's basket on one instance and reads it back from the next one (the session is in Redis).</summary>
        private async Task AddToBasketAsync(Farm farm)
        {
            string added;
            using (var lease = farm.Next())
            {
                added = lease.Name;
                var token = (await _browser.StateAsync(lease.Client, antiforgery: true)).GetProperty("antiforgery");
                using var request = _browser.Request(HttpMethod.Post, "/Basket");
                request.Headers.TryAddWithoutValidation(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
                request.Content = new FormUrlEncodedContent([]);
                using var response = await lease.Client.SendAsync(request);
                _browser.Keep(response);
                if (response.StatusCode != HttpStatusCode.Redirect)
                {
                    Failures.Enqueue($"browser {index}: POST /Basket answered {(int)response.StatusCode}");
                    return;
                }
            }

            _basket++;
            using var next = farm.Next();
            using var page = await next.Client.SendAsync(_browser.Request(HttpMethod.Get, "/Basket"));
            _browser.Keep(page);
            var html = await page.Content.ReadAsStringAsync();
            if (!html.Contains($"data-basket-count>{_basket}<", StringComparison.Ordinal))
            {
                var shown = System.Text.RegularExpressions.Regex.Match(html, "data-basket-count>([0-9]+)<").Groups[1].Value;
                Failures.Enqueue($"browser {index}: the basket should hold {_basket} items on the next instance; added on {added}, read on {next.Name} ({(int)page.StatusCode}), which shows '{shown}'");
            }
        }

        private async Task DecideAsync(Farm farm, string choice)
        {
            using var lease = farm.Next();
            var status = await _browser.ChooseAsync(lease.Client, choice);
            if (status != HttpStatusCode.OK)
            {
                Failures.Enqueue($"browser {index}: {choice} answered {(int)status}");
                return;
            }

            Decisions++;
            var state = await _browser.StateAsync(lease.Client);
            ConsentIds.Add(state.GetProperty("consentId").GetString()!);
            if (state.GetProperty("visitor").ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                VisitorIds.Add(state.GetProperty("visitor").GetProperty("id").GetString()!);
            }
        }

        private async Task ForgetAsync(Farm farm)
        {
            using var lease = farm.Next();
            var status = await _browser.ForgetAsync(lease.Client);
            if (status != HttpStatusCode.SeeOther)
            {
                Failures.Enqueue($"browser {index}: forget answered {(int)status}");
                return;
            }

            Forgot = true;
        }
    }
}

/// <summary>The warnings and errors the farm's instances log, for the failure message.</summary>
internal sealed class WarningLog : Microsoft.Extensions.Logging.ILoggerProvider
{
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyCollection<string> Entries => _entries;

    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> entries) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && entries.Count < 10_000)
            {
                entries.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}]: {formatter(state, exception)} {exception?.GetType().Name} {exception?.Message}");
            }
        }
    }
}
