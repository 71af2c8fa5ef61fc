using System.Diagnostics.Metrics;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.Ledger;

public sealed class ConsentLedgerRetentionTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2029, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(Now);
    private readonly InMemoryConsentLedger _store = new();

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task PurgeAsync_deletes_receipts_older_than_the_retention_and_keeps_newer_ones()
    {
        var retention = TimeSpan.FromDays(365);
        using var retentionService = Create(retention);
        using var purged = Collect("firstparty.ledger.purged");
        var expired = TestReceipts.Create("c-expired", Now - retention - TimeSpan.FromSeconds(1));
        var muchOlder = TestReceipts.Create("c-ancient", Now - TimeSpan.FromDays(3000));
        var justInside = TestReceipts.Create("c-inside", Now - retention + TimeSpan.FromSeconds(1));
        var recent = TestReceipts.Create("c-recent", Now - TimeSpan.FromDays(1));
        await _store.AppendAsync([expired, muchOlder, justInside, recent]);

        Assert.Equal(2, await retentionService.PurgeAsync(CancellationToken.None));

        Assert.Empty(await _store.FindAsync(ReceiptSubject.Consent("c-expired")));
        Assert.Empty(await _store.FindAsync(ReceiptSubject.Consent("c-ancient")));
        Assert.Single(await _store.FindAsync(ReceiptSubject.Consent("c-inside")));
        Assert.Single(await _store.FindAsync(ReceiptSubject.Consent("c-recent")));
        Assert.Equal(2, purged.GetMeasurementSnapshot().Sum(m => m.Value));

        // The cutoff moves with the clock.
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await retentionService.PurgeAsync(CancellationToken.None));
        Assert.Empty(await _store.FindAsync(ReceiptSubject.Consent("c-inside")));
        Assert.Single(await _store.FindAsync(ReceiptSubject.Consent("c-recent")));
    }

    [Fact]
    public async Task No_retention_purges_nothing()
    {
        using var retentionService = Create(retention: null);
        await _store.AppendAsync([TestReceipts.Create("c-ancient", Now - TimeSpan.FromDays(10_000)), TestReceipts.Create("c-recent", Now)]);

        Assert.Equal(0, await retentionService.PurgeAsync(CancellationToken.None));

        Assert.Single(await _store.FindAsync(ReceiptSubject.Consent("c-ancient")));
        Assert.Single(await _store.FindAsync(ReceiptSubject.Consent("c-recent")));
    }

    [Fact]
    public async Task The_service_purges_at_start_and_then_every_interval()
    {
        var retention = TimeSpan.FromDays(30);
        using var retentionService = Create(retention, TimeSpan.FromHours(6));
        await _store.AppendAsync([TestReceipts.Create("c-expired", Now - TimeSpan.FromDays(31)), TestReceipts.Create("c-young", Now - TimeSpan.FromDays(29) - TimeSpan.FromHours(23))]);

        await retentionService.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync(async () => (await _store.FindAsync(ReceiptSubject.Consent("c-expired"))).Count == 0, "the purge at startup ran");
            Assert.Single(await _store.FindAsync(ReceiptSubject.Consent("c-young")));

            // Six hours later the other receipt is past the retention too.
            _time.Advance(TimeSpan.FromHours(6));
            await Poll.UntilAsync(async () => (await _store.FindAsync(ReceiptSubject.Consent("c-young"))).Count == 0, "the periodic purge ran");
        }
        finally
        {
            await retentionService.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task The_service_keeps_running_after_a_failed_purge()
    {
        var store = new FakeConsentLedger { Failing = true };
        using var retentionService = Create(TimeSpan.FromDays(30), TimeSpan.FromHours(1), store);
        await retentionService.StartAsync(CancellationToken.None);
        try
        {
            await Poll.UntilAsync(() => store.FailedCalls >= 1, "the purge at startup was tried");
            store.Failing = false;
            await store.AppendAsync([TestReceipts.Create("c-expired", Now - TimeSpan.FromDays(31))]);

            _time.Advance(TimeSpan.FromHours(1));
            await Poll.UntilAsync(() => store.Stored.Count == 0, "the next purge ran");
        }
        finally
        {
            await retentionService.StopAsync(CancellationToken.None);
        }
    }

    private ConsentLedgerRetention Create(TimeSpan? retention, TimeSpan? interval = null, IConsentLedger? store = null)
    {
        var options = new FirstPartyOptions { Ledger = { Retention = retention } };
        if (interval is { } every)
        {
            options.Ledger.PurgeInterval = every;
        }

        return new ConsentLedgerRetention(
            store ?? _store,
            Options.Create(options),
            _time,
            new FirstPartyMetrics(_services.GetRequiredService<IMeterFactory>()),
            NullLogger<ConsentLedgerRetention>.Instance);
    }

    private MetricCollector<long> Collect(string instrumentName)
        => new(_services.GetRequiredService<IMeterFactory>(), FirstPartyMetrics.MeterName, instrumentName);
}
