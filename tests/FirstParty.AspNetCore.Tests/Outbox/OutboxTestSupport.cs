using System.Collections.Concurrent;
using System.Text.Json.Serialization;
using FirstParty.AspNetCore.Outbox;
using FirstParty.AspNetCore.Tests.Ledger;

namespace FirstParty.AspNetCore.Tests.Outbox;

/// <summary>An item for the outbox tests: an id that says its order.</summary>
internal sealed record TestItem(int Id, DateTimeOffset QueuedAt) : IOutboxItem;

[JsonSerializable(typeof(TestItem))]
internal sealed partial class TestItemJsonContext : JsonSerializerContext;

/// <summary>
/// A scripted sink: it can throw (down, or for the next N calls), deliver part of a batch and then
/// throw, leave chosen items to retry the first time it sees them, reject chosen items, or hang until
/// released. It records every batch it was handed and every item it took, in order.
/// </summary>
internal sealed class ScriptedSink : IOutboxSink<TestItem>
{
    private readonly Lock _lock = new();
    private readonly List<int[]> _calls = [];
    private readonly List<int> _delivered = [];
    private readonly HashSet<int> _seen = [];
    private TaskCompletionSource _gate = Open();
    private int _failNext;

    private volatile bool _failing;

    /// <summary>While true, every call throws.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>Items marked Rejected whenever they come.</summary>
    public HashSet<int> Reject { get; } = [];

    /// <summary>Items left to retry (not marked) the first time they come.</summary>
    public HashSet<int> RetryFirstTime { get; } = [];

    /// <summary>When set, the next call delivers this many items and then throws.</summary>
    public int? DeliverThenThrow { get; set; }

    public IReadOnlyList<int[]> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<int> Delivered
    {
        get
        {
            lock (_lock)
            {
                return [.. _delivered];
            }
        }
    }

    public void FailNext(int calls) => Interlocked.Exchange(ref _failNext, calls);

    public void Block()
    {
        lock (_lock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    public void Release()
    {
        lock (_lock)
        {
            _gate.TrySetResult();
        }
    }

    public async Task DeliverAsync(IReadOnlyList<TestItem> batch, DeliveryOutcome[] outcomes, CancellationToken cancellationToken)
    {
        Assert.Equal(batch.Count, outcomes.Length);
        Assert.All(outcomes, o => Assert.Equal(DeliveryOutcome.Retry, o));
        Task gate;
        lock (_lock)
        {
            _calls.Add([.. batch.Select(i => i.Id)]);
            gate = _gate.Task;
        }

        await gate.WaitAsync(cancellationToken);
        if (_failing || Interlocked.Decrement(ref _failNext) >= 0)
        {
            throw new InvalidOperationException("The fake upstream is down.");
        }

        var throwAfter = DeliverThenThrow;
        DeliverThenThrow = null;
        lock (_lock)
        {
            for (var i = 0; i < batch.Count; i++)
            {
                if (throwAfter is { } limit && i >= limit)
                {
                    throw new InvalidOperationException("The fake upstream failed part-way.");
                }

                var id = batch[i].Id;
                if (Reject.Contains(id))
                {
                    outcomes[i] = DeliveryOutcome.Rejected;
                }
                else if (RetryFirstTime.Contains(id) && _seen.Add(id))
                {
                    // Left as Retry.
                }
                else
                {
                    outcomes[i] = DeliveryOutcome.Delivered;
                    _delivered.Add(id);
                }
            }
        }
    }

    private static TaskCompletionSource Open()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        gate.SetResult();
        return gate;
    }
}

/// <summary>Records what the outbox reports.</summary>
internal sealed class RecordingObserver : IOutboxObserver<TestItem>
{
    public ConcurrentQueue<int> Rejections { get; } = new();

    public ConcurrentQueue<(int Count, int Attempt, Exception? Exception)> Failures { get; } = new();

    public ConcurrentQueue<int> SpilledIds { get; } = new();

    public ConcurrentQueue<int> LostIds { get; } = new();

    public ConcurrentQueue<(string Path, int Count)> Adopted { get; } = new();

    public ConcurrentQueue<(string Path, int Line)> RejectedLines { get; } = new();

    private int _spillingReported;
    private int _replayedCount;
    private int _shutdownSpilledCount;

    public int SpillingReported => Volatile.Read(ref _spillingReported);

    public int ReplayedCount => Volatile.Read(ref _replayedCount);

    public int ShutdownSpilledCount => Volatile.Read(ref _shutdownSpilledCount);

    public void DeliveryFailed(int count, int attempt, Exception? exception) => Failures.Enqueue((count, attempt, exception));

    public void Rejected(TestItem item) => Rejections.Enqueue(item.Id);

    public void Spilling(string? path) => Interlocked.Increment(ref _spillingReported);

    public void Spilled(IReadOnlyList<TestItem> items)
    {
        foreach (var item in items)
        {
            SpilledIds.Enqueue(item.Id);
        }
    }

    public void SpillFailed(IReadOnlyList<TestItem> items, Exception exception)
    {
        foreach (var item in items)
        {
            LostIds.Enqueue(item.Id);
        }
    }

    public void Replayed(int count) => Interlocked.Add(ref _replayedCount, count);

    public void ReplayedFromSpill(int count)
    {
    }

    public void AdoptedSpillFile(string path, int count) => Adopted.Enqueue((path, count));

    public void SpillLineRejected(string path, int line) => RejectedLines.Enqueue((path, line));

    public void ShutdownSpilled(int count) => Interlocked.Add(ref _shutdownSpilledCount, count);

    public void LoopFailed(Exception exception) => throw new Xunit.Sdk.XunitException("The outbox loop failed: " + exception);
}

/// <summary>An outbox of <see cref="TestItem"/> over a scripted sink, in a folder of the test.</summary>
internal sealed class OutboxHost : IAsyncDisposable
{
    private bool _disposed;

    public OutboxHost(string directory, Func<OutboxSettings, OutboxSettings>? configure = null, ScriptedSink? sink = null, TimeProvider? time = null)
    {
        var settings = new OutboxSettings
        {
            Name = "test",
            SpillDirectory = directory,
            QueueCapacity = 1000,
            BatchSize = 4,
            RetryDelay = TimeSpan.FromMilliseconds(5),
            MaxRetryDelay = TimeSpan.FromMilliseconds(40),
        };
        Settings = configure?.Invoke(settings) ?? settings;
        Sink = sink ?? new ScriptedSink();
        Outbox = new DurableOutbox<TestItem>(Settings, Sink, Observer, TestItemJsonContext.Default.TestItem, time ?? TimeProvider.System);
    }

    public OutboxSettings Settings { get; }

    public ScriptedSink Sink { get; }

    public RecordingObserver Observer { get; } = new();

    public DurableOutbox<TestItem> Outbox { get; }

    public bool Idle => Outbox.QueueDepth == 0 && Outbox.SpilledCount == 0;

    public static TestItem Item(int id) => new(id, TestReceipts.At.AddSeconds(id));

    public async Task EnqueueAsync(IEnumerable<int> ids)
    {
        foreach (var id in ids)
        {
            var queued = Outbox.EnqueueAsync(Item(id));
            Assert.True(queued.IsCompletedSuccessfully);
            await queued;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Sink.Release();
        using (var timeout = new CancellationTokenSource(Poll.Deadline))
        {
            await Outbox.StopAsync(timeout.Token);
        }

        Outbox.Dispose();
    }
}
