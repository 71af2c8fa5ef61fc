using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;

namespace FirstParty.AspNetCore.Outbox;

/// <summary>
/// Gets items to a sink without putting the sink on a request's critical path, and without losing
/// any. Items go to a bounded queue that one background loop drains in batches, oldest first. The
/// sink marks each item delivered, rejected (dropped for good) or left to retry; a batch's items left
/// to retry are tried again, with exponential backoff and jitter, before anything newer. After a few
/// failed attempts (or when the queue is full) items go to an append-only spill file that is
/// replayed, in order, once the sink takes them again. On shutdown the queue is drained, and what
/// the sink cannot take in time is spilled; a spill file left by a crash is adopted at the next
/// start. Delivery is at least once: a sink must take an item twice without harm.
/// </summary>
internal sealed class DurableOutbox<T> : IDisposable
    where T : class, IOutboxItem
{
    private readonly OutboxSettings _settings;
    private readonly IOutboxSink<T> _sink;
    private readonly IOutboxObserver<T> _observer;
    private readonly TimeProvider _time;

    // A null item only wakes the loop (it may be waiting on an empty queue while the spill file fills).
    private readonly Channel<T?> _queue;
    private readonly OutboxSpillFile<T> _spill;
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _spillLock = new();

    // Where the replay of the spill file stands: the part read, the next item of it, and the items
    // of the last batch the sink left to retry. Kept between attempts so that what was delivered or
    // rejected is not handed to the sink again (only the loop touches these).
    private readonly List<T> _replayRetry = [];
    private List<T> _replayChunk = [];
    private int _replayIndex;
    private long _replayEnd;

    private Task _loop = Task.CompletedTask;
    private DateTimeOffset? _inFlightSince;
    private volatile bool _sinkFailing;
    private volatile bool _spillFailing;
    private int _disposed;

    public DurableOutbox(OutboxSettings settings, IOutboxSink<T> sink, IOutboxObserver<T> observer, JsonTypeInfo<T> json, TimeProvider time)
        : this(settings, sink, observer, json, time, isValid: null)
    {
    }

    /// <param name="settings">Queue, batches, retries and the spill folder.</param>
    /// <param name="sink">Where the items go.</param>
    /// <param name="observer">The owner's metrics, logs and bookkeeping.</param>
    /// <param name="json">How an item is written to the spill file and read back.</param>
    /// <param name="time">The clock of the backoff and of the items' ages.</param>
    /// <param name="isValid">False for an item read back from a spill file that must not be delivered (kept aside in <c>.rejected</c>).</param>
    public DurableOutbox(OutboxSettings settings, IOutboxSink<T> sink, IOutboxObserver<T> observer, JsonTypeInfo<T> json, TimeProvider time, Func<T, bool>? isValid)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.QueueCapacity, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.BatchSize, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.AttemptsBeforeSpill, 1, nameof(settings));
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.BatchDelay, TimeSpan.Zero, nameof(settings));
        _settings = settings;
        _sink = sink;
        _observer = observer;
        _time = time;
        _queue = Channel.CreateBounded<T?>(new BoundedChannelOptions(settings.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _spill = new OutboxSpillFile<T>(settings.SpillDirectory, json, isValid, observer.SpillLineRejected);
    }

    /// <summary>The outbox's settings.</summary>
    public OutboxSettings Settings => _settings;

    /// <summary>Items waiting in memory.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Items waiting in the spill file.</summary>
    public long SpilledCount => _spill.PendingCount;

    /// <summary>True while the last attempt to deliver left items to retry.</summary>
    public bool SinkFailing => _sinkFailing;

    /// <summary>True while the last write to the spill file failed: items are being lost.</summary>
    public bool SpillFailing => _spillFailing;

    /// <summary>How long the oldest item not yet delivered has waited.</summary>
    public TimeSpan OldestPendingAge
    {
        get
        {
            var oldest = _inFlightSince;
            if (_queue.Reader.TryPeek(out var next) && next is not null && (oldest is null || next.QueuedAt < oldest))
            {
                oldest = next.QueuedAt;
            }

            if (_spill.Oldest is { } spilled && (oldest is null || spilled < oldest))
            {
                oldest = spilled;
            }

            return oldest is { } since ? _time.GetUtcNow() - since : TimeSpan.Zero;
        }
    }

    /// <summary>Queues an item, or appends it to the spill file when the queue is full or items already wait there.</summary>
    public ValueTask EnqueueAsync(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!_spill.IsActive && _queue.Writer.TryWrite(item))
        {
            return ValueTask.CompletedTask;
        }

        // The sink is down or the queue is full: keep the item on disk, behind the ones already there.
        Spill([item], wake: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Returns once the sink took the item (with retries) or, failing that, once it is in the spill
    /// file; throws when neither took it. A rejected item is reported to the observer and not kept.
    /// The caller's cancellation is deliberately not taken: once asked for, the item must be kept.
    /// </summary>
    public async ValueTask DeliverNowAsync(T item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (!_spill.IsActive)
        {
            T[] batch = [item];
            var delay = _settings.RetryDelay;
            for (var attempt = 1; attempt <= _settings.AttemptsBeforeSpill; attempt++)
            {
                var outcomes = new DeliveryOutcome[1];
                var error = await TryDeliverAsync(batch, outcomes, CancellationToken.None).ConfigureAwait(false);
                if (outcomes[0] != DeliveryOutcome.Retry)
                {
                    _sinkFailing = false;
                    if (outcomes[0] == DeliveryOutcome.Rejected)
                    {
                        _observer.Rejected(item);
                    }

                    return;
                }

                _sinkFailing = true;
                _observer.DeliveryFailed(1, attempt, error);
                if (attempt < _settings.AttemptsBeforeSpill)
                {
                    await Task.Delay(OutboxBackoff.Jittered(delay), _time).ConfigureAwait(false);
                    delay = OutboxBackoff.Next(delay, _settings.MaxRetryDelay);
                }
            }
        }

        // Durable on disk; the loop replays it when the sink answers. Throws if the disk refuses too.
        Spill([item], wake: true, throwOnFailure: true);
    }

    /// <summary>Starts the loop; it first adopts the spill files that no running outbox holds.</summary>
    public void Start()
    {
        if (_loop == Task.CompletedTask)
        {
            _loop = Task.Run(RunAsync, CancellationToken.None);
        }
    }

    /// <summary>Delivers what is queued until <paramref name="cancellationToken"/> fires, then spills the rest.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping.TrySetResult();
        _queue.Writer.TryComplete();
        using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort))
        {
            await _loop.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        // Owners may be disposed twice by the container (as themselves and as a hosted service).
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _abort.Cancel();
        _abort.Dispose();
        _spill.Dispose();
    }

    private async Task RunAsync()
    {
        var token = _abort.Token;
        var batch = new List<T>(_settings.BatchSize);
        try
        {
            AdoptOrphans();
            var delay = _settings.RetryDelay;
            while (true)
            {
                if (_spill.IsActive)
                {
                    if (_stopping.Task.IsCompleted)
                    {
                        // Shutting down: the file is replayed at the next start.
                        break;
                    }

                    // The queue overflowed into the file while the sink was answering: what waits in
                    // the queue was asked for before what is in the file, so it goes first.
                    while (!_sinkFailing && _queue.Reader.Count > 0)
                    {
                        Drain(batch);
                        if (batch.Count > 0)
                        {
                            await DeliverWithRetryAsync(batch, token).ConfigureAwait(false);
                            batch.Clear();
                            _inFlightSince = null;
                        }
                    }

                    // Whatever else reached the queue goes behind the file (wake-ups are dropped).
                    Drain(batch, all: true);
                    if (batch.Count > 0)
                    {
                        Spill(batch, wake: false);
                        batch.Clear();
                        _inFlightSince = null;
                    }

                    if (await TryReplayAsync(token).ConfigureAwait(false))
                    {
                        delay = _settings.RetryDelay;
                    }
                    else
                    {
                        await WaitAsync(delay, token).ConfigureAwait(false);
                        delay = OutboxBackoff.Next(delay, _settings.MaxRetryDelay);
                    }

                    continue;
                }

                if (!await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    break;
                }

                if (ShouldLinger())
                {
                    await LingerAsync(token).ConfigureAwait(false);
                }

                Drain(batch);
                if (batch.Count == 0)
                {
                    continue;
                }

                if (_spill.IsActive)
                {
                    Spill(batch, wake: false);
                }
                else
                {
                    await DeliverWithRetryAsync(batch, token).ConfigureAwait(false);
                }

                batch.Clear();
                _inFlightSince = null;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Nothing reads the queue any more: close it so every later item goes to the spill file.
            _queue.Writer.TryComplete();
            _observer.LoopFailed(ex);
        }
        finally
        {
            // Whatever did not reach the sink is kept on disk for the next start.
            Drain(batch, all: true);
            if (batch.Count > 0)
            {
                _observer.ShutdownSpilled(batch.Count);
                Spill(batch, wake: false);
            }

            _inFlightSince = null;
        }
    }

    /// <summary>Delivers a batch, retrying only what the sink left to retry, and spills it with the queue when the sink stays down.</summary>
    private async Task DeliverWithRetryAsync(List<T> batch, CancellationToken token)
    {
        var delay = _settings.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var outcomes = new DeliveryOutcome[batch.Count];
            var error = await TryDeliverAsync(batch, outcomes, token).ConfigureAwait(false);
            Settle(batch, outcomes);
            if (batch.Count == 0)
            {
                _sinkFailing = false;
                return;
            }

            _sinkFailing = true;
            _observer.DeliveryFailed(batch.Count, attempt, error);
            if (attempt >= _settings.AttemptsBeforeSpill)
            {
                // The sink stays down: move the batch and the queue to disk so a crash loses nothing.
                Drain(batch, all: true);
                Spill(batch, wake: false);
                return;
            }

            await Task.Delay(OutboxBackoff.Jittered(delay), _time, token).ConfigureAwait(false);
            delay = OutboxBackoff.Next(delay, _settings.MaxRetryDelay);
        }
    }

    /// <summary>
    /// Replays the spill file in order, one batch at a time. Returns true once the file is empty, false
    /// when the sink left items to retry (they are tried first at the next call).
    /// </summary>
    private async Task<bool> TryReplayAsync(CancellationToken token)
    {
        while (true)
        {
            if (_replayRetry.Count > 0)
            {
                var outcomes = new DeliveryOutcome[_replayRetry.Count];
                var error = await TryDeliverAsync(_replayRetry, outcomes, token).ConfigureAwait(false);
                var before = _replayRetry.Count;
                Settle(_replayRetry, outcomes);
                if (before > _replayRetry.Count)
                {
                    _observer.Replayed(before - _replayRetry.Count);
                }

                if (_replayRetry.Count > 0)
                {
                    _sinkFailing = true;
                    _observer.DeliveryFailed(_replayRetry.Count, 0, error);
                    return false;
                }

                _sinkFailing = false;
                continue;
            }

            if (_replayIndex < _replayChunk.Count)
            {
                var count = Math.Min(_settings.BatchSize, _replayChunk.Count - _replayIndex);
                _replayRetry.AddRange(_replayChunk.GetRange(_replayIndex, count));
                _replayIndex += count;
                continue;
            }

            if (_replayChunk.Count > 0)
            {
                _observer.ReplayedFromSpill(_replayChunk.Count);
                _replayChunk = [];
                _replayIndex = 0;
            }

            lock (_spillLock)
            {
                if (_spill.TryComplete(_replayEnd))
                {
                    _replayEnd = 0;
                    return true;
                }
            }

            var (items, next) = _spill.Read(_replayEnd);
            if (items.Count == 0 && next == _replayEnd)
            {
                // Only a partial line: it is being written, or a crash cut it. Look again later.
                return false;
            }

            _replayChunk = items;
            _replayIndex = 0;
            _replayEnd = next;
        }
    }

    /// <summary>One attempt. Returns the sink's exception, if any; the items it did not mark stay to retry.</summary>
    private async Task<Exception?> TryDeliverAsync(IReadOnlyList<T> batch, DeliveryOutcome[] outcomes, CancellationToken token)
    {
        try
        {
            await _sink.DeliverAsync(batch, outcomes, token).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && token.IsCancellationRequested) && ex is not OutOfMemoryException)
        {
            return ex;
        }
    }

    /// <summary>Drops what was delivered or rejected from the batch (reporting the rejected), keeping the rest in order.</summary>
    private void Settle(List<T> batch, DeliveryOutcome[] outcomes)
    {
        var kept = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            switch (outcomes[i])
            {
                case DeliveryOutcome.Delivered:
                    break;
                case DeliveryOutcome.Rejected:
                    _observer.Rejected(batch[i]);
                    break;
                default:
                    batch[kept++] = batch[i];
                    break;
            }
        }

        batch.RemoveRange(kept, batch.Count - kept);
    }

    private void Drain(List<T> batch, bool all = false)
    {
        while ((all || batch.Count < _settings.BatchSize) && _queue.Reader.TryRead(out var item))
        {
            if (item is not null)
            {
                batch.Add(item);
                _inFlightSince ??= item.QueuedAt;
            }
        }
    }

    private void Spill(List<T> items, bool wake, bool throwOnFailure = false)
    {
        try
        {
            lock (_spillLock)
            {
                var first = !_spill.IsActive;
                _spill.Append(items);
                _spillFailing = false;
                if (first)
                {
                    _observer.Spilling(_spill.FilePath);
                }
            }

            _observer.Spilled(items);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Neither the sink nor the disk would take them: say so loudly, never silently.
            _spillFailing = true;
            _observer.SpillFailed(items, ex);
            if (throwOnFailure)
            {
                throw;
            }

            return;
        }

        if (wake)
        {
            // The loop may be waiting on an empty queue: it must notice the spill file.
            _queue.Writer.TryWrite(null);
        }
    }

    private void AdoptOrphans()
    {
        foreach (var (path, items) in _spill.AdoptOrphans())
        {
            lock (_spillLock)
            {
                _spill.Append(items);
            }

            File.Delete(path);
            _observer.AdoptedSpillFile(path, items.Count);
        }
    }

    /// <summary>
    /// Whether to let items gather before the next batch: only for a real item (not a wake-up for the
    /// spill file), with less than a batch queued, and not while shutting down.
    /// </summary>
    private bool ShouldLinger()
        => _settings.BatchDelay > TimeSpan.Zero
            && !_stopping.Task.IsCompleted
            && _queue.Reader.Count < _settings.BatchSize
            && _queue.Reader.TryPeek(out var next) && next is not null;

    private async Task LingerAsync(CancellationToken token)
    {
        // Shutdown ends the wait at once: the drain must not lose the host's timeout to it.
        await Task.WhenAny(Task.Delay(_settings.BatchDelay, _time, token), _stopping.Task).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken token)
    {
        // Sleep through the backoff, but wake for shutdown.
        await Task.WhenAny(Task.Delay(OutboxBackoff.Jittered(delay), _time, token), _stopping.Task).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }
}
