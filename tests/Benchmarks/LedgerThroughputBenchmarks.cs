using BenchmarkDotNet.Attributes;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Benchmarks;

/// <summary>
/// Receipts per second through the batching writer into a real store: 10,000 receipts recorded at
/// once, measured until the last one is in the database. The time shown is per receipt.
/// The queue holds the whole burst, so this measures writing, not spilling.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 10, invocationCount: 1)]
public class LedgerThroughputBenchmarks
{
    private const int Burst = 10_000;
    private ServiceProvider _services = null!;
    private ConsentLedgerWriter _writer = null!;
    private ConsentReceipt[] _receipts = [];

    [Params("Sqlite", "PostgreSql")]
    public string Store { get; set; } = "Sqlite";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var services = new ServiceCollection();
        // Warnings and errors reach the benchmark log: a store that fails would otherwise be measured as spilling.
        services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning));
        var spill = Path.Combine(Path.GetTempPath(), "firstparty-benchmarks", "spill-" + Guid.NewGuid().ToString("N"));
        var builder = services.AddFirstParty(o =>
        {
            o.Ledger.QueueCapacity = 4 * Burst;
            o.Ledger.SpillDirectory = spill;
        });
        LedgerStores.Add(builder, Store);
        _services = services.BuildServiceProvider();
        await LedgerStores.PrepareAsync(_services);
        _writer = _services.GetRequiredService<ConsentLedgerWriter>();
        await _writer.StartAsync(CancellationToken.None);
    }

    [IterationSetup]
    public void NewReceipts()
    {
        var now = DateTimeOffset.UtcNow;
        _receipts = [.. Enumerable.Range(0, Burst).Select(i => new ConsentReceipt
        {
            ReceiptId = Guid.NewGuid().ToString(),
            ConsentId = Guid.NewGuid().ToString(),
            VisitorId = Guid.NewGuid().ToString(),
            Timestamp = now,
            Revision = 1,
            NoticeHash = "5f1b3c0a9d7e4c2b8a6f0e1d3c5b7a9f1e3d5c7b9a0f2e4d6c8b0a1f3e5d7c9b",
            Regime = ConsentRegime.OptIn,
            Region = "FR",
            Language = "fr",
            Source = "accept-all",
            Granted = ["necessary", "preferences", "analytics", "marketing"],
            Denied = [],
            ExpiresAt = now.AddDays(395),
            PagePath = "/menu",
            UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36",
            IpAddress = "203.0.113.0",
        })];
    }

    [Benchmark(OperationsPerInvoke = Burst)]
    public async Task RecordAndWrite()
    {
        foreach (var receipt in _receipts)
        {
            await _writer.RecordAsync(receipt);
        }

        while (_writer.PendingReceipts > 0)
        {
            await Task.Delay(1);
        }

        if (_writer.SpilledCount > 0)
        {
            throw new InvalidOperationException("The store refused receipts: this run measured the spill file, not the store.");
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _writer.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
    }
}
