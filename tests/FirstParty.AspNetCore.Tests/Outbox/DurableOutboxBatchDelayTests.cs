using FirstParty.AspNetCore.Outbox;
using FirstParty.AspNetCore.Tests.Ledger;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.Outbox;

/// <summary>
/// <see cref="OutboxSettings.BatchDelay"/> on a fake clock: items that arrive within the delay go to
/// the sink together and not before it has passed, a full batch is not held back, and shutdown does
/// not wait the delay out (nor lose what was gathering).
/// </summary>
public sealed class DurableOutboxBatchDelayTests : IAsyncLifetime
{
    // Long enough for the loop to have woken and started its wait on a busy machine.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(150);

    private readonly TempDirectory _directory = new();
    private readonly FakeTimeProvider _clock = new(TestReceipts.At);
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
    public async Task Items_arriving_within_BatchDelay_reach_the_sink_together_once_it_has_passed()
    {
        var host = Create(TimeSpan.FromMilliseconds(5), batchSize: 10);
        host.Outbox.Start();

        await host.EnqueueAsync([1]);
        await Task.Delay(Settle);
        await host.EnqueueAsync([2, 3]);
        _clock.Advance(TimeSpan.FromMilliseconds(4));
        await Task.Delay(Settle);
        Assert.Empty(host.Sink.Calls);
        Assert.Equal(3, host.Outbox.QueueDepth);

        await AdvanceUntilAsync(() => host.Sink.Delivered.Count == 3 && host.Idle, TimeSpan.FromMilliseconds(1), "the gathered items are delivered");

        Assert.Equal([1, 2, 3], Assert.Single(host.Sink.Calls));
        Assert.Empty(_directory.SpillFiles());
    }

    [Fact]
    public async Task A_full_batch_already_queued_is_taken_without_waiting_and_a_lone_item_waits_for_the_delay()
    {
        var host = Create(TimeSpan.FromSeconds(1), batchSize: 4);
        host.Sink.Block();
        await host.EnqueueAsync(Enumerable.Range(1, 4));
        host.Outbox.Start();
        await Poll.UntilAsync(() => host.Sink.Calls.Count == 1, "the full batch is handed over with the clock standing still");
        await host.EnqueueAsync(Enumerable.Range(5, 4));
        host.Sink.Release();

        await Poll.UntilAsync(() => host.Sink.Delivered.Count == 8, "the next full batch follows with the clock standing still");
        Assert.Equal(2, host.Sink.Calls.Count);
        Assert.Equal([1, 2, 3, 4], host.Sink.Calls[0]);
        Assert.Equal([5, 6, 7, 8], host.Sink.Calls[1]);

        await host.EnqueueAsync([9]);
        await Task.Delay(Settle);
        Assert.Equal(8, host.Sink.Delivered.Count);

        await AdvanceUntilAsync(() => host.Sink.Delivered.Count == 9, TimeSpan.FromMilliseconds(100), "the lone item is delivered after the delay");
        Assert.Equal([9], host.Sink.Calls[^1]);
    }

    [Fact]
    public async Task StopAsync_ends_the_wait_and_delivers_what_was_gathering()
    {
        var host = Create(TimeSpan.FromSeconds(1), batchSize: 10);
        host.Outbox.Start();
        await host.EnqueueAsync([1, 2]);
        await Task.Delay(Settle);
        Assert.Empty(host.Sink.Calls);

        // The clock never moves: only shutdown can end the wait.
        using (var timeout = new CancellationTokenSource(Poll.Deadline))
        {
            await Poll.CompletesAsync(host.Outbox.StopAsync(timeout.Token), "the stop");
            Assert.False(timeout.IsCancellationRequested);
        }

        Assert.Equal([1, 2], host.Sink.Delivered);
        Assert.Equal(0, host.Observer.ShutdownSpilledCount);
        Assert.Empty(host.Observer.SpilledIds);
    }

    [Fact]
    public void A_negative_BatchDelay_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() => Create(TimeSpan.FromMilliseconds(-1), batchSize: 4));

    private async Task AdvanceUntilAsync(Func<bool> condition, TimeSpan step, string what)
    {
        await Poll.UntilAsync(
            () =>
            {
                if (condition())
                {
                    return true;
                }

                _clock.Advance(step);
                return false;
            },
            what);
    }

    private OutboxHost Create(TimeSpan batchDelay, int batchSize)
    {
        var host = new OutboxHost(_directory.Path, s => s with { BatchDelay = batchDelay, BatchSize = batchSize }, time: _clock);
        _hosts.Add(host);
        return host;
    }
}
