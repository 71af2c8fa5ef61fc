using System.Text;
using FirstParty.AspNetCore.Outbox;
using FirstParty.AspNetCore.Tests.Ledger;

namespace FirstParty.AspNetCore.Tests.Outbox;

/// <summary>
/// The durable outbox over a scripted sink: order, per-item outcomes, retries, the spill file and
/// its replay, a full queue, shutdown, adoption of a crashed run's file, and strict delivery.
/// </summary>
public sealed class DurableOutboxTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<OutboxHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Items_are_delivered_in_order_in_batches_no_larger_than_BatchSize()
    {
        var host = Create();
        host.Sink.Block();
        // Queued before the loop starts, so its first batch is full whatever the scheduler does.
        await host.EnqueueAsync(Enumerable.Range(1, 10));
        Assert.Equal(10, host.Outbox.QueueDepth);
        host.Outbox.Start();
        host.Sink.Release();

        await Poll.UntilAsync(() => host.Sink.Delivered.Count == 10 && host.Idle, "every item is delivered");

        Assert.Equal(Enumerable.Range(1, 10), host.Sink.Delivered);
        Assert.All(host.Sink.Calls, c => Assert.InRange(c.Length, 1, 4));
        Assert.Contains(host.Sink.Calls, c => c.Length == 4);
        Assert.False(host.Outbox.SinkFailing);
        Assert.Empty(_directory.SpillFiles());
    }

    [Fact]
    public async Task Only_the_items_left_to_retry_are_retried_and_before_anything_newer()
    {
        var host = Create();
        host.Sink.RetryFirstTime.Add(2);
        host.Sink.RetryFirstTime.Add(4);
        host.Sink.Block();
        await host.EnqueueAsync(Enumerable.Range(1, 8));
        host.Outbox.Start();
        host.Sink.Release();

        await Poll.UntilAsync(() => host.Sink.Delivered.Count == 8 && host.Idle, "every item is delivered");

        // Batch [1..4]: 1 and 3 delivered, 2 and 4 retried alone, in order, before [5..8] is taken.
        var calls = host.Sink.Calls;
        Assert.Equal([1, 2, 3, 4], calls[0]);
        Assert.Equal([2, 4], calls[1]);
        Assert.Equal([5, 6, 7, 8], calls[2]);
        Assert.Equal(3, calls.Count);
        Assert.Equal([1, 3, 2, 4, 5, 6, 7, 8], host.Sink.Delivered);
        var failure = Assert.Single(host.Observer.Failures);
        Assert.Equal((2, 1), (failure.Count, failure.Attempt));
        Assert.Null(failure.Exception);
    }

    [Fact]
    public async Task A_sink_that_throws_part_way_gets_only_the_items_it_did_not_mark_again()
    {
        var host = Create();
        host.Sink.DeliverThenThrow = 2;
        host.Sink.Block();
        await host.EnqueueAsync(Enumerable.Range(1, 4));
        host.Outbox.Start();
        host.Sink.Release();

        await Poll.UntilAsync(() => host.Sink.Delivered.Count == 4 && host.Idle, "every item is delivered");

        Assert.Equal([1, 2, 3, 4], host.Sink.Delivered);
        Assert.Equal([3, 4], host.Sink.Calls[1]);
        var failure = Assert.Single(host.Observer.Failures);
        Assert.IsType<InvalidOperationException>(failure.Exception);
    }

    [Fact]
    public async Task A_rejected_item_is_dropped_and_reported_once_while_the_others_flow()
    {
        var host = Create();
        host.Sink.Reject.Add(3);
        host.Sink.RetryFirstTime.Add(4);
        host.Sink.Block();
        host.Outbox.Start();
        await host.EnqueueAsync(Enumerable.Range(1, 6));
        host.Sink.Release();

        await Poll.UntilAsync(() => host.Sink.Delivered.Count == 5 && host.Idle, "every other item is delivered");

        Assert.Equal([1, 2, 4, 5, 6], host.Sink.Delivered.Order());
        Assert.Equal([3], host.Observer.Rejections);
        Assert.Equal(1, host.Sink.Calls.Count(c => c.Contains(3)));
        Assert.Empty(host.Observer.SpilledIds);
    }

    [Fact]
    public async Task A_sink_that_stays_down_gets_AttemptsBeforeSpill_attempts_then_batch_and_queue_are_spilled_and_replayed_in_order()
    {
        var host = Create(s => s with { AttemptsBeforeSpill = 4 });
        host.Sink.Failing = true;
        host.Sink.Block();
        host.Outbox.Start();
        await host.EnqueueAsync(Enumerable.Range(1, 10));
        host.Sink.Release();

        await Poll.UntilAsync(() => host.Outbox.SpilledCount == 10, "the batch and the queue are spilled");
        Assert.True(host.Outbox.SinkFailing);
        var calls = host.Sink.Calls;
        Assert.Equal(1, calls[0][0]);
        Assert.All(calls.Take(4), c => Assert.Equal(calls[0], c));
        Assert.Equal([1, 2, 3, 4], host.Observer.Failures.Take(4).Select(f => f.Attempt));

        // Then only replays of the file (attempt 0): the batch was spilled after the fourth attempt.
        Assert.All(host.Observer.Failures.Skip(4), f => Assert.Equal(0, f.Attempt));
        Assert.Equal(Enumerable.Range(1, 10), host.Observer.SpilledIds.Order());
        Assert.Equal(1, host.Observer.SpillingReported);
        Assert.True(host.Outbox.OldestPendingAge > TimeSpan.Zero);

        // Recorded while the file waits: behind it, not ahead of it.
        await host.EnqueueAsync([11, 12]);
        Assert.Equal(12, host.Outbox.SpilledCount);

        host.Sink.Failing = false;
        await Poll.UntilAsync(() => host.Idle && host.Sink.Delivered.Count == 12, "the spill file is replayed");

        Assert.Equal(Enumerable.Range(1, 12), host.Sink.Delivered);
        Assert.Equal(12, host.Observer.ReplayedCount);
        Assert.False(host.Outbox.SinkFailing);
        Assert.Equal(TimeSpan.Zero, host.Outbox.OldestPendingAge);
        Assert.All(_directory.SpillFiles(), f => Assert.Equal(0, new FileInfo(f).Length));
    }

    [Fact]
    public async Task A_replay_retries_only_what_is_left_and_never_resends_what_was_delivered_or_rejected()
    {
        var host = Create(s => s with { AttemptsBeforeSpill = 1 });
        host.Sink.Failing = true;
        await host.EnqueueAsync(Enumerable.Range(1, 8));
        host.Outbox.Start();
        await Poll.UntilAsync(() => host.Outbox.SpilledCount == 8, "everything is spilled");
        var callsWhileDown = host.Sink.Calls.Count;

        host.Sink.Reject.Add(2);
        host.Sink.RetryFirstTime.Add(3);
        host.Sink.DeliverThenThrow = null;
        host.Sink.Failing = false;
        await Poll.UntilAsync(() => host.Idle && host.Sink.Delivered.Count == 7, "the spill file is replayed");

        Assert.Equal([1, 3, 4, 5, 6, 7, 8], host.Sink.Delivered.Order());
        Assert.Equal(7, host.Sink.Delivered.Distinct().Count());
        var delivered = host.Sink.Delivered.ToList();
        Assert.True(delivered.IndexOf(3) < delivered.IndexOf(5), "a newer item was delivered before an older one left to retry");
        Assert.Equal([2], host.Observer.Rejections);
        var replayCalls = host.Sink.Calls.Skip(callsWhileDown).ToList();
        Assert.Equal([1, 2, 3, 4], replayCalls[0]);
        Assert.Equal([3], replayCalls[1]);
        Assert.Equal([5, 6, 7, 8], replayCalls[2]);
    }

    [Fact]
    public async Task A_full_queue_overflows_to_the_spill_file_and_everything_arrives_in_order()
    {
        var host = Create(s => s with { QueueCapacity = 2, BatchSize = 4 });
        host.Sink.Block();
        host.Outbox.Start();
        await host.EnqueueAsync([1]);
        await Poll.UntilAsync(() => host.Sink.Calls.Count >= 1, "the first delivery starts");
        await host.EnqueueAsync(Enumerable.Range(2, 9));

        Assert.Equal(2, host.Outbox.QueueDepth);
        Assert.Equal(7, host.Outbox.SpilledCount);
        Assert.Equal(Enumerable.Range(4, 7), host.Observer.SpilledIds);

        host.Sink.Release();
        await Poll.UntilAsync(() => host.Idle && host.Sink.Delivered.Count == 10, "every item is delivered");
        Assert.Equal(Enumerable.Range(1, 10), host.Sink.Delivered);
    }

    [Fact]
    public async Task StopAsync_delivers_what_is_queued_when_the_sink_answers()
    {
        var host = Create();
        host.Sink.Block();
        host.Outbox.Start();
        await host.EnqueueAsync(Enumerable.Range(1, 9));

        var stop = host.Outbox.StopAsync(CancellationToken.None);
        Assert.False(stop.IsCompleted);
        host.Sink.Release();
        await Poll.CompletesAsync(stop, "StopAsync");

        Assert.Equal(Enumerable.Range(1, 9), host.Sink.Delivered);
        Assert.Equal(0, host.Outbox.SpilledCount);
        Assert.Equal(0, host.Observer.ShutdownSpilledCount);
    }

    [Fact]
    public async Task A_shutdown_timeout_with_a_hung_sink_spills_the_batch_in_flight_and_the_queue_and_the_next_start_delivers_them_in_order()
    {
        var first = Create();
        first.Sink.Block();
        first.Outbox.Start();
        await first.EnqueueAsync(Enumerable.Range(1, 10));
        await Poll.UntilAsync(() => first.Sink.Calls.Count >= 1, "the first delivery starts");

        using var shutdown = new CancellationTokenSource();
        var stop = first.Outbox.StopAsync(shutdown.Token);
        Assert.False(stop.IsCompleted);
        await shutdown.CancelAsync();
        await Poll.CompletesAsync(stop, "StopAsync after the shutdown timeout");

        Assert.Equal(10, first.Outbox.SpilledCount);
        Assert.Equal(10, first.Observer.ShutdownSpilledCount);
        Assert.Empty(first.Sink.Delivered);

        // Stopped: a late item goes to the file too.
        await first.EnqueueAsync([11]);
        Assert.Equal(11, first.Outbox.SpilledCount);
        await first.DisposeAsync();
        var file = Assert.Single(_directory.SpillFiles());

        var second = Create();
        second.Outbox.Start();
        await Poll.UntilAsync(() => second.Idle && second.Sink.Delivered.Count == 11, "the adopted file is delivered");

        Assert.Equal(Enumerable.Range(1, 11), second.Sink.Delivered);
        Assert.Equal((file, 11), Assert.Single(second.Observer.Adopted));
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task The_spill_file_of_a_running_outbox_is_not_adopted_until_that_outbox_stops()
    {
        var busy = Create(s => s with { AttemptsBeforeSpill = 1 });
        busy.Sink.Failing = true;
        busy.Outbox.Start();
        await busy.EnqueueAsync([1, 2]);
        await Poll.UntilAsync(() => busy.Outbox.SpilledCount == 2, "the first outbox spills");

        var other = Create();
        other.Outbox.Start();
        await other.EnqueueAsync([100]);
        await Poll.UntilAsync(() => other.Idle && other.Sink.Delivered.Count == 1, "the second outbox runs");

        Assert.Equal([100], other.Sink.Delivered);
        Assert.Empty(other.Observer.Adopted);
        Assert.Equal(2, busy.Outbox.SpilledCount);

        await busy.DisposeAsync();
        var third = Create();
        third.Outbox.Start();
        await Poll.UntilAsync(() => third.Idle && third.Sink.Delivered.Count == 2, "the stopped outbox's file is adopted");
        Assert.Equal([1, 2], third.Sink.Delivered);
    }

    [Fact]
    public async Task Lines_of_an_orphan_that_are_not_items_are_kept_aside_and_the_rest_is_delivered()
    {
        var orphan = Path.Combine(_directory.Path, "spill-1-orphan" + OutboxSpillFile<TestItem>.Extension);
        File.WriteAllText(orphan, "{\"Id\":1,\"QueuedAt\":\"2026-03-14T09:26:54+00:00\"}\nnot json\n{\"Id\":2,\"QueuedAt\":\"2026-03-14T09:26:55+00:00\"}\n", new UTF8Encoding(false));

        var host = Create();
        host.Outbox.Start();
        await Poll.UntilAsync(() => host.Idle && host.Sink.Delivered.Count == 2, "the orphan is delivered");

        Assert.Equal([1, 2], host.Sink.Delivered);
        Assert.Equal([(orphan, 2)], host.Observer.RejectedLines);
        Assert.Equal(["not json"], File.ReadAllLines(orphan + ".rejected"));
    }

    [Fact]
    public async Task DeliverNowAsync_returns_once_the_sink_has_the_item()
    {
        var host = Create();
        host.Outbox.Start();
        host.Sink.Block();

        var delivering = host.Outbox.DeliverNowAsync(OutboxHost.Item(1)).AsTask();
        await Poll.UntilAsync(() => host.Sink.Calls.Count == 1, "the delivery starts");
        Assert.False(delivering.IsCompleted);

        host.Sink.Release();
        await Poll.CompletesAsync(delivering, "DeliverNowAsync");
        Assert.Equal([1], host.Sink.Delivered);
        Assert.Equal(0, host.Outbox.SpilledCount);
    }

    [Fact]
    public async Task DeliverNowAsync_retries_then_completes_once_the_item_is_in_the_spill_file()
    {
        var host = Create();
        host.Outbox.Start();
        host.Sink.Failing = true;

        await Poll.CompletesAsync(host.Outbox.DeliverNowAsync(OutboxHost.Item(1)).AsTask(), "DeliverNowAsync");

        Assert.Equal(1, host.Outbox.SpilledCount);
        Assert.Equal([1, 2, 3], host.Observer.Failures.Take(3).Select(f => f.Attempt));
        Assert.True(host.Sink.Calls.Count >= host.Settings.AttemptsBeforeSpill);
        Assert.Equal([1], host.Observer.SpilledIds);

        host.Sink.Failing = false;
        await Poll.UntilAsync(() => host.Idle && host.Sink.Delivered.Count == 1, "the spilled item is replayed");
        Assert.Equal([1], host.Sink.Delivered);
    }

    [Fact]
    public async Task DeliverNowAsync_reports_a_rejected_item_once_and_keeps_nothing()
    {
        var host = Create();
        host.Outbox.Start();
        host.Sink.Reject.Add(1);

        await host.Outbox.DeliverNowAsync(OutboxHost.Item(1));

        Assert.Equal([1], host.Observer.Rejections);
        Assert.Single(host.Sink.Calls);
        Assert.Equal(0, host.Outbox.SpilledCount);
    }

    [Fact]
    public async Task DeliverNowAsync_throws_when_neither_the_sink_nor_the_disk_takes_the_item()
    {
        var blocker = Path.Combine(_directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var host = Create(s => s with { SpillDirectory = Path.Combine(blocker, "outbox") });
        host.Outbox.Start();
        host.Sink.Failing = true;

        var ex = await Record.ExceptionAsync(() => host.Outbox.DeliverNowAsync(OutboxHost.Item(1)).AsTask());

        Assert.True(ex is IOException or UnauthorizedAccessException, $"Expected an IOException, got {ex?.GetType().Name ?? "nothing"}.");
        Assert.Equal([1], host.Observer.LostIds);
        Assert.True(host.Outbox.SpillFailing);
        Assert.Equal(0, host.Outbox.SpilledCount);

        // In the background, the same failure is reported, not thrown.
        await host.EnqueueAsync([2]);
        await Poll.UntilAsync(() => host.Observer.LostIds.Count == 2, "the background item is reported lost");
        Assert.Equal([1, 2], host.Observer.LostIds);
    }

    [Fact]
    public void The_backoff_doubles_up_to_the_maximum_and_a_wait_never_exceeds_it()
    {
        var max = TimeSpan.FromSeconds(30);
        var delays = new List<TimeSpan> { TimeSpan.FromMilliseconds(200) };
        for (var i = 0; i < 10; i++)
        {
            delays.Add(OutboxBackoff.Next(delays[^1], max));
        }

        Assert.Equal(TimeSpan.FromMilliseconds(400), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(25_600), delays[7]);
        Assert.Equal(max, delays[8]);
        Assert.Equal(max, delays[^1]);
        Assert.All(Enumerable.Range(0, 200).Select(_ => OutboxBackoff.Jittered(max)), w => Assert.InRange(w, max / 2, max));
    }

    private OutboxHost Create(Func<OutboxSettings, OutboxSettings>? configure = null)
    {
        var host = new OutboxHost(_directory.Path, configure);
        _hosts.Add(host);
        return host;
    }
}
