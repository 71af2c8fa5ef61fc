using FirstParty.AspNetCore.Ledger;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary>
/// The background writer over a fake store: queueing, batching, retries, the spill file while the
/// store is down or the queue full, shutdown and restart, strict mode and erasure.
/// </summary>
public sealed class ConsentLedgerWriterTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<LedgerWriterHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            host.Store.Release();
            await host.DisposeAsync();
        }

        _directory.Dispose();
    }

    // ---------------------------------------------------------------- background mode

    [Fact]
    public async Task RecordAsync_returns_before_the_store_has_the_receipt_and_lookups_see_it_meanwhile()
    {
        var host = await StartAsync();
        host.Store.Block();
        var receipt = TestReceipts.Create("c-1", visitorId: "v-1");

        var recorded = host.Writer.RecordAsync(receipt);

        Assert.True(recorded.IsCompletedSuccessfully);
        await recorded;
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the writer hands the receipt to the store");
        Assert.Empty(host.Store.Stored);
        Assert.Same(receipt, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1"))));
        Assert.Same(receipt, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Visitor("v-1"))));
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-2")));

        host.Store.Release();
        await Poll.UntilAsync(() => host.Store.Stored.Count == 1, "the receipt reaches the store");

        // In the store and (for a moment, perhaps) still pending: found once either way.
        Assert.Equal(receipt.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1"))).ReceiptId);
        await Poll.UntilAsync(() => host.Idle, "the writer is idle");
        Assert.Equal(receipt.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1"))).ReceiptId);
        Assert.Equal(receipt.ReceiptId, Assert.Single(host.Store.Appended).ReceiptId);
        Assert.False(host.Writer.StoreFailing);
    }

    [Fact]
    public async Task A_receipt_stored_while_a_lookup_reads_the_store_is_still_found()
    {
        var host = await StartAsync();
        host.Store.Block();
        var receipt = TestReceipts.Create("c-1", visitorId: "v-1");
        await host.Writer.RecordAsync(receipt);
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the writer hands the receipt to the store");

        // The store's answer is read before the receipt lands, and the receipt leaves the pending set
        // before the lookup goes on: a lookup that read the pending set only afterwards missed it.
        host.Store.AfterFindSnapshot = async () =>
        {
            host.Store.AfterFindSnapshot = null;
            host.Store.Release();
            await Poll.UntilAsync(() => host.Writer.PendingReceipts == 0, "the receipt is stored and no longer pending");
        };

        Assert.Equal(receipt.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1"))).ReceiptId);
    }

    [Fact]
    public async Task Lookups_merge_stored_and_pending_receipts_oldest_first()
    {
        var host = await StartAsync();
        var older = TestReceipts.Create("c-1", TestReceipts.At);
        await host.Writer.RecordAsync(older);
        await Poll.UntilAsync(() => host.Store.Stored.Count == 1 && host.Idle, "the first receipt is stored");

        host.Store.Block();
        var newer = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(1));
        var oldestOfAll = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(-1));
        await host.Writer.RecordAsync(newer);
        await host.Writer.RecordAsync(oldestOfAll);

        var found = await host.Writer.FindAsync(ReceiptSubject.Consent("c-1"));
        Assert.Equal([oldestOfAll.ReceiptId, older.ReceiptId, newer.ReceiptId], found.Select(r => r.ReceiptId));
    }

    [Fact]
    public async Task Receipts_recorded_quickly_are_written_in_batches_no_larger_than_BatchSize()
    {
        var host = Create(o => o.BatchSize = 16);
        using var written = host.Collect("firstparty.ledger.written");
        await host.Writer.StartAsync(CancellationToken.None);
        var receipts = TestReceipts.Many(200);

        // Hold the first write so the others pile up in the queue.
        host.Store.Block();
        await host.Writer.RecordAsync(receipts[0]);
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the first write starts");
        foreach (var receipt in receipts.Skip(1))
        {
            await host.Writer.RecordAsync(receipt);
        }

        Assert.Equal(199, host.Writer.QueueDepth);
        Assert.Equal(0, host.Writer.SpilledCount);
        host.Store.Release();
        // The store holds a batch before the writer counts it: wait for the count too.
        await Poll.UntilAsync(
            () => host.Store.Stored.Count == 200 && host.Idle && written.GetMeasurementSnapshot().Sum(m => m.Value) == 200,
            "every receipt is stored and counted");

        var sizes = host.Store.Calls.Where(c => c.IsAppend).Select(c => c.ReceiptIds.Count).ToList();
        Assert.True(sizes.Count < 200, $"{sizes.Count} store calls for 200 receipts");
        Assert.All(sizes, size => Assert.InRange(size, 1, 16));
        Assert.Contains(16, sizes);
        Assert.Equal(receipts.Select(r => r.ReceiptId), host.Store.Appended.Select(r => r.ReceiptId));
        Assert.Equal(200, written.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    // ---------------------------------------------------------------- store down

    [Fact]
    public async Task While_the_store_is_down_operations_are_spilled_and_replayed_in_order_exactly_once_when_it_recovers()
    {
        var host = Create();
        using var written = host.Collect("firstparty.ledger.written");
        using var spilled = host.Collect("firstparty.ledger.spilled");
        using var replayed = host.Collect("firstparty.ledger.replayed");
        using var retried = host.Collect("firstparty.ledger.retried");
        await host.Writer.StartAsync(CancellationToken.None);
        host.Store.Failing = true;
        var erased = new[] { TestReceipts.Create("c-erased", TestReceipts.At), TestReceipts.Create("c-erased", TestReceipts.At.AddSeconds(1)), TestReceipts.Create("c-erased", TestReceipts.At.AddSeconds(2)) };
        var kept = TestReceipts.Create("c-kept", TestReceipts.At.AddSeconds(3));
        // Made after the erasure (beyond its clock-skew allowance): a new fact that the tombstone leaves alone.
        var afterErasure = TestReceipts.Create("c-erased", DateTimeOffset.UtcNow.AddHours(1));

        var first = host.Writer.RecordAsync(erased[0]);
        Assert.True(first.IsCompletedSuccessfully);
        await Poll.UntilAsync(() => host.Writer.SpilledCount >= 1, "the writer gives up on the store and spills");
        Assert.True(host.Writer.StoreFailing);
        Assert.Single(_directory.SpillFiles());

        foreach (var receipt in new[] { erased[1], erased[2], kept })
        {
            var recorded = host.Writer.RecordAsync(receipt);
            Assert.True(recorded.IsCompletedSuccessfully);
        }

        Assert.True(host.Writer.EraseAsync(ReceiptSubject.Consent("c-erased"), ReceiptErasure.Delete).IsCompletedSuccessfully);
        Assert.True(host.Writer.RecordAsync(afterErasure).IsCompletedSuccessfully);

        Assert.Equal(6, host.Writer.SpilledCount);
        Assert.Empty(host.Store.Appended);
        var file = Assert.Single(_directory.SpillFiles());
        var content = TempDirectory.ReadShared(file);
        Assert.All(erased.Append(kept).Append(afterErasure), r => Assert.Contains(r.ReceiptId, content, StringComparison.Ordinal));
        Assert.True(retried.GetMeasurementSnapshot().Sum(m => m.Value) >= ConsentLedgerWriter.AttemptsBeforeSpill);

        host.Store.Failing = false;
        await Poll.UntilAsync(() => host.Idle && host.Store.Appended.Count >= 5, "the spill file is replayed");

        // Every receipt reached the store exactly once.
        var appended = host.Store.Appended.Select(r => r.ReceiptId).ToList();
        Assert.Equal(appended.Count, appended.Distinct().Count());
        Assert.Equal(
            erased.Append(kept).Append(afterErasure).Select(r => r.ReceiptId).Order(),
            appended.Order());

        // The erasure came after the appends asked for before it, and before the one asked for after it.
        var calls = host.Store.Calls;
        var erasure = Assert.Single(calls, c => c.IsErase);
        Assert.Equal(ReceiptSubject.Consent("c-erased"), erasure.Subject);
        Assert.Equal(ReceiptErasure.Delete, erasure.Erasure);
        Assert.Equal(erased.Select(r => r.ReceiptId).Order(), erasure.ReceiptIds.Order());
        var erasureIndex = calls.ToList().IndexOf(erasure);
        Assert.All(erased, r => Assert.True(IndexOfAppend(calls, r) < erasureIndex, "an append asked for before the erasure came after it"));
        Assert.True(IndexOfAppend(calls, afterErasure) > erasureIndex, "an append asked for after the erasure came before it");

        Assert.Equal(afterErasure.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-erased"))).ReceiptId);
        Assert.Equal(kept.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-kept"))).ReceiptId);
        Assert.Equal(0, host.Writer.SpilledCount);
        Assert.False(host.Writer.StoreFailing);
        Assert.All(_directory.SpillFiles(), f => Assert.Equal(0, new FileInfo(f).Length));

        Assert.Equal(6, spilled.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(6, replayed.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(5, written.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task Receipts_recorded_while_the_store_is_down_keep_flowing_after_it_recovers()
    {
        var host = await StartAsync();
        host.Store.Failing = true;
        var before = TestReceipts.Many(5, "down-");
        foreach (var receipt in before)
        {
            await host.Writer.RecordAsync(receipt);
        }

        await Poll.UntilAsync(() => host.Writer.SpilledCount == 5, "everything is spilled");
        host.Store.Failing = false;
        await Poll.UntilAsync(() => host.Idle && host.Store.Stored.Count == 5, "the spill file is replayed");

        // Back to the queue: later receipts go straight to the store, not the spill file.
        var after = TestReceipts.Create("up-1");
        await host.Writer.RecordAsync(after);
        await Poll.UntilAsync(() => host.Store.Stored.Count == 6, "a later receipt is stored");
        Assert.Equal(0, host.Writer.SpilledCount);
        Assert.Equal(6, host.Store.Appended.Select(r => r.ReceiptId).Distinct().Count());
        Assert.Equal(6, host.Store.Appended.Count);
    }

    // ---------------------------------------------------------------- queue full

    [Fact]
    public async Task A_full_queue_overflows_to_the_spill_file_and_loses_nothing()
    {
        var host = await StartAsync(o =>
        {
            o.QueueCapacity = 2;
            o.BatchSize = 4;
        });
        var receipts = TestReceipts.Many(10);
        host.Store.Block();
        await host.Writer.RecordAsync(receipts[0]);
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the first write starts");

        foreach (var receipt in receipts.Skip(1))
        {
            var recorded = host.Writer.RecordAsync(receipt);
            Assert.True(recorded.IsCompletedSuccessfully);
        }

        Assert.Equal(2, host.Writer.QueueDepth);
        Assert.Equal(7, host.Writer.SpilledCount);

        host.Store.Release();
        await Poll.UntilAsync(() => host.Idle && host.Store.Stored.Count == 10, "every receipt is stored");

        var appended = host.Store.Appended.Select(r => r.ReceiptId).ToList();
        Assert.Equal(receipts.Select(r => r.ReceiptId).Order(), appended.Order());
        Assert.Equal(10, appended.Count);
    }

    [Fact]
    public async Task An_erasure_that_overflows_the_queue_still_follows_the_appends_queued_before_it()
    {
        var host = await StartAsync(o => o.QueueCapacity = 2);
        var first = TestReceipts.Create("c-1", TestReceipts.At);
        var queued = new[] { TestReceipts.Create("c-1", TestReceipts.At.AddSeconds(1)), TestReceipts.Create("c-1", TestReceipts.At.AddSeconds(2)) };
        host.Store.Block();
        await host.Writer.RecordAsync(first);
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the first write starts");
        await host.Writer.RecordAsync(queued[0]);
        await host.Writer.RecordAsync(queued[1]);
        Assert.Equal(2, host.Writer.QueueDepth);

        // The queue is full: the erasure goes to the spill file.
        await host.Writer.EraseAsync(ReceiptSubject.Consent("c-1"), ReceiptErasure.Delete);
        Assert.Equal(1, host.Writer.SpilledCount);
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1")));

        host.Store.Release();
        await Poll.UntilAsync(
            () => host.Idle && host.Store.Erasures.Count >= 1 && queued.All(r => host.Store.Appended.Any(a => a.ReceiptId == r.ReceiptId)),
            "every operation reaches the store");

        // Receipts queued before the erasure may reach the store after it (the erasure overtook them
        // through the spill file): the erasure's tombstone reaches them, so none of them survives.
        var erasure = Assert.Single(host.Store.Erasures);
        Assert.All(queued.Prepend(first), r => Assert.True(r.Timestamp < erasure.ErasedBefore));
        Assert.Empty(await host.Store.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Empty(host.Store.Stored);
    }

    // ---------------------------------------------------------------- shutdown and restart

    [Fact]
    public async Task StopAsync_with_the_store_down_spills_the_queue_and_the_next_start_writes_it_exactly_once()
    {
        var store = new FakeConsentLedger();
        var first = await StartAsync(store: store);
        var receipts = TestReceipts.Many(20);
        store.Failing = true;
        store.Block();
        await first.Writer.RecordAsync(receipts[0]);
        await Poll.UntilAsync(() => store.AppendsStarted >= 1, "the first write starts");
        foreach (var receipt in receipts.Skip(1))
        {
            await first.Writer.RecordAsync(receipt);
        }

        Assert.Equal(19, first.Writer.QueueDepth);

        var stop = first.Writer.StopAsync(CancellationToken.None);
        store.Release();
        await Poll.CompletesAsync(stop, "StopAsync");

        Assert.Equal(20, first.Writer.SpilledCount);
        Assert.Equal(0, first.Writer.QueueDepth);
        Assert.Empty(store.Appended);
        await first.DisposeAsync();
        var file = Assert.Single(_directory.SpillFiles());
        Assert.All(receipts, r => Assert.Contains(r.ReceiptId, File.ReadAllText(file), StringComparison.Ordinal));

        // The app restarts with a working store: the file is adopted and written.
        var second = Create(store: new FakeConsentLedger());
        using var replayed = second.Collect("firstparty.ledger.replayed");
        await second.Writer.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => second.Idle && second.Store.Stored.Count == 20, "the adopted file is replayed");

        Assert.Equal(receipts.Select(r => r.ReceiptId), second.Store.Appended.Select(r => r.ReceiptId));
        Assert.False(File.Exists(file));
        Assert.Equal(20, replayed.GetMeasurementSnapshot().Sum(m => m.Value));
        await second.DisposeAsync();
        Assert.Empty(_directory.SpillFiles());
    }

    [Fact]
    public async Task A_shutdown_timeout_while_the_store_hangs_spills_the_batch_in_flight_and_the_queue()
    {
        var store = new FakeConsentLedger();
        var first = await StartAsync(store: store);
        var receipts = TestReceipts.Many(10);
        store.Block();
        await first.Writer.RecordAsync(receipts[0]);
        await Poll.UntilAsync(() => store.AppendsStarted >= 1, "the first write starts");
        foreach (var receipt in receipts.Skip(1))
        {
            await first.Writer.RecordAsync(receipt);
        }

        using var shutdown = new CancellationTokenSource();
        var stop = first.Writer.StopAsync(shutdown.Token);
        Assert.False(stop.IsCompleted);
        await shutdown.CancelAsync();
        await Poll.CompletesAsync(stop, "StopAsync after the shutdown timeout");

        Assert.Equal(10, first.Writer.SpilledCount);
        Assert.Empty(store.Appended);
        await first.DisposeAsync();

        var second = await StartAsync(store: new FakeConsentLedger());
        await Poll.UntilAsync(() => second.Idle && second.Store.Stored.Count == 10, "the adopted file is replayed");
        Assert.Equal(receipts.Select(r => r.ReceiptId), second.Store.Appended.Select(r => r.ReceiptId));
    }

    [Fact]
    public async Task StopAsync_with_the_store_down_returns_without_waiting_for_the_shutdown_timeout()
    {
        var host = await StartAsync();
        host.Store.Failing = true;
        await host.Writer.RecordAsync(TestReceipts.Create("c-1"));
        await Poll.UntilAsync(() => host.Writer.SpilledCount == 1, "the writer spills");

        // Recorded while the spill file is active: it goes straight to the file.
        await host.Writer.RecordAsync(TestReceipts.Create("c-2"));
        Assert.Equal(2, host.Writer.SpilledCount);

        // Everything is on disk already: stopping has nothing to wait for ("the file is replayed at the next start").
        using var shutdown = new CancellationTokenSource();
        var stop = host.Writer.StopAsync(shutdown.Token);
        try
        {
            await Poll.CompletesAsync(stop, "StopAsync with every operation already in the spill file");
        }
        finally
        {
            await shutdown.CancelAsync();
            await stop;
        }

        Assert.Equal(2, host.Writer.SpilledCount);
    }

    [Fact]
    public async Task A_receipt_recorded_after_stop_is_spilled_and_written_at_the_next_start()
    {
        var first = await StartAsync();
        await first.Writer.StopAsync(CancellationToken.None);
        var late = TestReceipts.Create("c-late");

        var recorded = first.Writer.RecordAsync(late);

        Assert.True(recorded.IsCompletedSuccessfully);
        Assert.Equal(1, first.Writer.SpilledCount);
        Assert.Empty(first.Store.Appended);
        await first.DisposeAsync();

        var second = await StartAsync(store: new FakeConsentLedger());
        await Poll.UntilAsync(() => second.Idle && second.Store.Stored.Count == 1, "the late receipt is written");
        Assert.Equal(late.ReceiptId, Assert.Single(second.Store.Appended).ReceiptId);
    }

    [Fact]
    public async Task A_writer_does_not_adopt_the_spill_file_of_another_running_writer()
    {
        var busy = await StartAsync();
        busy.Store.Failing = true;
        await busy.Writer.RecordAsync(TestReceipts.Create("c-busy"));
        await Poll.UntilAsync(() => busy.Writer.SpilledCount == 1, "the first writer spills");

        var other = await StartAsync(store: new FakeConsentLedger());
        var marker = TestReceipts.Create("c-marker");
        await other.Writer.RecordAsync(marker);
        await Poll.UntilAsync(() => other.Idle && other.Store.Stored.Count >= 1, "the second writer runs");

        // The second writer's loop adopted orphans before it took the marker: the live file was not one.
        Assert.Equal(marker.ReceiptId, Assert.Single(other.Store.Appended).ReceiptId);
        Assert.Equal(1, busy.Writer.SpilledCount);
    }

    // ---------------------------------------------------------------- strict mode

    [Fact]
    public async Task Strict_RecordAsync_completes_only_once_the_store_has_the_receipt()
    {
        var host = await StartAsync(o => o.Mode = ConsentLedgerMode.Strict);
        var receipt = TestReceipts.Create("c-1");
        host.Store.Block();

        var recorded = host.Writer.RecordAsync(receipt).AsTask();
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the write starts");

        Assert.False(recorded.IsCompleted);
        Assert.Empty(host.Store.Stored);

        host.Store.Release();
        await Poll.CompletesAsync(recorded, "RecordAsync");
        Assert.Equal(receipt.ReceiptId, Assert.Single(host.Store.Stored).ReceiptId);
        Assert.Equal(0, host.Writer.SpilledCount);
        Assert.Equal(0, host.Writer.QueueDepth);
    }

    [Fact]
    public async Task Strict_RecordAsync_with_the_store_down_completes_once_the_receipt_is_in_the_spill_file()
    {
        var host = Create(o => o.Mode = ConsentLedgerMode.Strict);
        using var spilled = host.Collect("firstparty.ledger.spilled");
        await host.Writer.StartAsync(CancellationToken.None);
        host.Store.Failing = true;
        var receipt = TestReceipts.Create("c-1");

        await Poll.CompletesAsync(host.Writer.RecordAsync(receipt).AsTask(), "RecordAsync");

        Assert.Equal(1, host.Writer.SpilledCount);
        // It was tried before it was spilled (the background replay may have tried it again since).
        Assert.True(host.Store.AppendsStarted >= ConsentLedgerWriter.AttemptsBeforeSpill);
        Assert.Contains(receipt.ReceiptId, TempDirectory.ReadShared(Assert.Single(_directory.SpillFiles())), StringComparison.Ordinal);
        Assert.Equal(1, spilled.GetMeasurementSnapshot().Sum(m => m.Value));

        host.Store.Failing = false;
        await Poll.UntilAsync(() => host.Idle && host.Store.Stored.Count == 1, "the spilled receipt is replayed");
        Assert.Equal(receipt.ReceiptId, Assert.Single(host.Store.Appended).ReceiptId);
    }

    [Fact]
    public async Task Strict_RecordAsync_throws_when_neither_the_store_nor_the_disk_takes_the_receipt()
    {
        var blocker = Path.Combine(_directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var host = Create(o =>
        {
            o.Mode = ConsentLedgerMode.Strict;
            o.SpillDirectory = Path.Combine(blocker, "ledger");
        });
        using var failed = host.Collect("firstparty.ledger.failed");
        await host.Writer.StartAsync(CancellationToken.None);
        host.Store.Failing = true;

        var ex = await Record.ExceptionAsync(() => host.Writer.RecordAsync(TestReceipts.Create("c-1")).AsTask());

        Assert.True(ex is IOException or UnauthorizedAccessException, $"Expected an IOException, got {ex?.GetType().Name ?? "nothing"}.");
        Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(0, host.Writer.SpilledCount);
    }

    [Fact]
    public async Task A_receipt_that_neither_the_store_nor_the_disk_took_is_not_reported_as_pending()
    {
        var blocker = Path.Combine(_directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var host = await StartAsync(o =>
        {
            o.Mode = ConsentLedgerMode.Strict;
            o.SpillDirectory = Path.Combine(blocker, "ledger");
        });
        host.Store.Failing = true;
        await Assert.ThrowsAnyAsync<IOException>(() => host.Writer.RecordAsync(TestReceipts.Create("c-lost")).AsTask());

        // The caller was told the decision was not recorded (the endpoint answers 503 and keeps no
        // cookie): the consent history must not show it either.
        host.Store.Failing = false;
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-lost")));
    }

    [Fact]
    public async Task Strict_EraseAsync_completes_once_the_store_has_erased()
    {
        var host = await StartAsync(o => o.Mode = ConsentLedgerMode.Strict);
        var receipt = TestReceipts.Create("c-1");
        await host.Writer.RecordAsync(receipt);
        Assert.Single(host.Store.Stored);

        await host.Writer.EraseAsync(ReceiptSubject.Consent("c-1"), ReceiptErasure.Delete);

        Assert.Empty(host.Store.Stored);
        var erasure = Assert.Single(host.Store.Erasures);
        Assert.Equal([receipt.ReceiptId], erasure.ReceiptIds);
    }

    // ---------------------------------------------------------------- erasure

    [Theory]
    [InlineData(ReceiptErasure.Delete)]
    [InlineData(ReceiptErasure.Pseudonymise)]
    public async Task Stored_receipts_are_hidden_from_lookups_while_their_erasure_waits_for_the_store(ReceiptErasure erasure)
    {
        // Staff erase a person's receipts and search again at once: the erasure is still queued
        // behind the store, but the search must not show the receipts as if nothing happened.
        var host = await StartAsync();
        var stored = TestReceipts.Create("c-erase", TestReceipts.At, visitorId: "v-1");
        var later = TestReceipts.Create("c-later", TestReceipts.At.AddDays(400), visitorId: "v-1");
        var other = TestReceipts.Create("c-keep", TestReceipts.At, visitorId: "v-2");
        await host.Writer.RecordAsync(stored);
        await host.Writer.RecordAsync(other);
        await Poll.UntilAsync(() => host.Idle && host.Writer.PendingReceipts == 0, "the receipts are in the store");
        host.Store.Block();

        await host.Writer.EraseAsync(ReceiptSubject.Visitor("v-1"), erasure);
        await host.Writer.RecordAsync(later);

        Assert.Equal(later.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Visitor("v-1"))).ReceiptId);
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-erase")));
        Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Visitor("v-2")));

        host.Store.Release();
        await Poll.UntilAsync(() => host.Idle && host.Store.Erasures.Count == 1, "the erasure reaches the store");
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-erase")));
        Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Visitor("v-2")));
    }

    [Theory]
    [InlineData(ReceiptErasure.Delete)]
    [InlineData(ReceiptErasure.Pseudonymise)]
    public async Task EraseAsync_hides_pending_receipts_at_once_and_reaches_the_store_after_their_appends(ReceiptErasure erasure)
    {
        var host = await StartAsync();
        host.Store.Block();
        var inFlight = TestReceipts.Create("c-other", TestReceipts.At);
        await host.Writer.RecordAsync(inFlight);
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the first write starts");
        var erased = new[]
        {
            TestReceipts.Create("c-erase", TestReceipts.At.AddSeconds(1), visitorId: "v-1"),
            TestReceipts.Create("c-erase", TestReceipts.At.AddSeconds(2), visitorId: "v-1"),
        };
        var kept = TestReceipts.Create("c-keep", TestReceipts.At.AddSeconds(3), visitorId: "v-2");
        foreach (var receipt in erased.Append(kept))
        {
            await host.Writer.RecordAsync(receipt);
        }

        Assert.Equal(2, (await host.Writer.FindAsync(ReceiptSubject.Consent("c-erase"))).Count);

        await host.Writer.EraseAsync(ReceiptSubject.Consent("c-erase"), erasure);

        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-erase")));
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Visitor("v-1")));
        Assert.Equal(kept.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-keep"))).ReceiptId);
        Assert.Equal(inFlight.ReceiptId, Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-other"))).ReceiptId);

        host.Store.Release();
        await Poll.UntilAsync(() => host.Idle && host.Store.Erasures.Count == 1, "the erasure reaches the store");

        var call = Assert.Single(host.Store.Erasures);
        Assert.Equal(ReceiptSubject.Consent("c-erase"), call.Subject);
        Assert.Equal(erasure, call.Erasure);
        Assert.Equal(erased.Select(r => r.ReceiptId).Order(), call.ReceiptIds.Order());
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-erase")));
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Visitor("v-1")));
        Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-keep")));

        var remaining = host.Store.Stored.Where(r => erased.Any(e => e.ReceiptId == r.ReceiptId)).ToList();
        if (erasure == ReceiptErasure.Delete)
        {
            Assert.Empty(remaining);
        }
        else
        {
            Assert.Equal(2, remaining.Count);
            Assert.All(remaining, r => Assert.NotEqual("c-erase", r.ConsentId));
            Assert.Single(remaining.Select(r => r.ConsentId).Distinct());
            Assert.All(remaining, r => Assert.Null(r.VisitorId));
        }
    }

    [Fact]
    public async Task An_erasure_reaches_receipts_made_up_to_the_clock_skew_after_it_when_they_arrive_later()
    {
        var host = await StartAsync(o => o.ErasureClockSkew = TimeSpan.FromMinutes(2));
        var before = DateTimeOffset.UtcNow;
        await host.Writer.EraseAsync(ReceiptSubject.Consent("c-1"), ReceiptErasure.Delete);
        await Poll.UntilAsync(() => host.Idle && host.Store.Erasures.Count == 1, "the erasure reaches the store");
        var after = DateTimeOffset.UtcNow;

        var erasedBefore = Assert.Single(host.Store.Erasures).ErasedBefore;
        Assert.InRange(erasedBefore, before.AddMinutes(2), after.AddMinutes(2));

        // Made on an instance whose clock runs a minute ahead, and reaching the store after the erasure.
        await host.Writer.RecordAsync(TestReceipts.Create("c-1", after.AddMinutes(1)));
        await host.Writer.RecordAsync(TestReceipts.Create("c-1", after.AddMinutes(3)));
        await Poll.UntilAsync(() => host.Idle && host.Store.Appended.Count == 2, "both receipts reach the store");
        Assert.Equal([after.AddMinutes(3)], host.Store.Stored.Select(r => r.Timestamp));
    }

    [Fact]
    public async Task EraseAsync_by_visitor_hides_only_that_visitors_pending_receipts()
    {
        var host = await StartAsync();
        host.Store.Block();
        await host.Writer.RecordAsync(TestReceipts.Create("c-0"));
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the first write starts");
        await host.Writer.RecordAsync(TestReceipts.Create("c-1", visitorId: "v-1"));
        await host.Writer.RecordAsync(TestReceipts.Create("c-2", visitorId: "v-2"));

        await host.Writer.EraseAsync(ReceiptSubject.Visitor("v-1"), ReceiptErasure.Delete);

        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Single(await host.Writer.FindAsync(ReceiptSubject.Consent("c-2")));

        host.Store.Release();
        await Poll.UntilAsync(() => host.Idle && host.Store.Erasures.Count == 1, "the erasure reaches the store");
        Assert.Equal(ReceiptSubject.Visitor("v-1"), Assert.Single(host.Store.Erasures).Subject);
        Assert.Empty(await host.Writer.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Equal(["c-0", "c-2"], host.Store.Stored.Select(r => r.ConsentId).Order());
    }

    private static int IndexOfAppend(IReadOnlyList<LedgerCall> calls, ConsentReceipt receipt)
    {
        for (var i = 0; i < calls.Count; i++)
        {
            if (calls[i].IsAppend && calls[i].ReceiptIds.Contains(receipt.ReceiptId))
            {
                return i;
            }
        }

        throw new Xunit.Sdk.XunitException($"Receipt {receipt.ReceiptId} was never appended.");
    }

    private LedgerWriterHost Create(Action<ConsentLedgerOptions>? configure = null, FakeConsentLedger? store = null)
    {
        var host = new LedgerWriterHost(_directory.Path, store, configure);
        _hosts.Add(host);
        return host;
    }

    private async Task<LedgerWriterHost> StartAsync(Action<ConsentLedgerOptions>? configure = null, FakeConsentLedger? store = null)
    {
        var host = Create(configure, store);
        await host.Writer.StartAsync(CancellationToken.None);
        return host;
    }
}
