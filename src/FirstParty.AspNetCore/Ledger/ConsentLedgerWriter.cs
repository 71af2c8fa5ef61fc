using System.Diagnostics;
using System.Collections.Concurrent;
using System.Threading.Channels;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// Gets receipts into the <see cref="IConsentLedger"/> without putting the store on a request's
/// critical path. Operations go to a bounded queue that one background loop drains in batches; a
/// failed write is retried with exponential backoff, and after a few failures (or when the queue is
/// full) operations go to an append-only spill file that is replayed, in order, once the store
/// answers again. On shutdown the queue is drained, and what the store cannot take in time is
/// spilled; a spill file left by a crash is adopted at the next start. Appends are idempotent by
/// receipt id, so a replay never writes a receipt twice.
/// </summary>
internal sealed class ConsentLedgerWriter : IHostedService, IDisposable
{
    /// <summary>Failed attempts before the writer stops holding operations in memory and spills them.</summary>
    internal const int AttemptsBeforeSpill = 3;

    private readonly IConsentLedger _store;
    private readonly ConsentLedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly FirstPartyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Channel<LedgerOperation> _queue;
    private readonly LedgerSpillFile _spill;
    private readonly ConcurrentDictionary<string, ConsentReceipt> _pending = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abort = new();
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _spillLock = new();
    private Task _loop = Task.CompletedTask;
    private DateTimeOffset? _inFlightSince;
    private volatile bool _storeFailing;
    private volatile bool _spillFailing;
    private int _disposed;

    public ConsentLedgerWriter(
        IConsentLedger store,
        IOptions<FirstPartyOptions> options,
        TimeProvider time,
        FirstPartyMetrics metrics,
        ILogger<ConsentLedgerWriter> logger,
        IHostEnvironment? environment = null)
    {
        _store = store;
        _options = options.Value.Ledger;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _queue = Channel.CreateBounded<LedgerOperation>(new BoundedChannelOptions(_options.QueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        var directory = Path.IsPathRooted(_options.SpillDirectory)
            ? _options.SpillDirectory
            : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, _options.SpillDirectory);
        _spill = new LedgerSpillFile(directory, logger);
        metrics.ObserveLedger(() => QueueDepth, () => SpilledCount, () => OldestPendingAge.TotalSeconds);
    }

    /// <summary>Operations waiting in memory.</summary>
    public int QueueDepth => _queue.Reader.Count;

    /// <summary>Receipts recorded but not yet in the store or the spill file.</summary>
    internal int PendingReceipts => _pending.Count;

    /// <summary>Operations waiting in the spill file.</summary>
    public long SpilledCount => _spill.PendingCount;

    /// <summary>True while the last write to the store failed.</summary>
    public bool StoreFailing => _storeFailing;

    /// <summary>True while the last write to the spill file failed: receipts are being lost.</summary>
    public bool SpillFailing => _spillFailing;

    /// <summary>The store behind the writer.</summary>
    public IConsentLedger Store => _store;

    /// <summary>How long the oldest operation not yet in the store has waited.</summary>
    public TimeSpan OldestPendingAge
    {
        get
        {
            var oldest = _inFlightSince;
            if (_queue.Reader.TryPeek(out var next) && !next.IsWake && (oldest is null || next.QueuedAt < oldest))
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

    /// <summary>
    /// Records a receipt. In <see cref="ConsentLedgerMode.Background"/> mode this only queues it; in
    /// <see cref="ConsentLedgerMode.Strict"/> mode it returns once the receipt is in the store or in
    /// the spill file, and throws when neither would take it.
    /// </summary>
    public ValueTask RecordAsync(ConsentReceipt receipt)
    {
        var operation = new LedgerOperation { Append = receipt, QueuedAt = _time.GetUtcNow() };
        _pending[receipt.ReceiptId] = receipt;
        return _options.Mode == ConsentLedgerMode.Strict ? WriteNowAsync(operation) : Enqueue(operation);
    }

    /// <summary>Erases a subject's receipts after every operation asked for before it.</summary>
    public ValueTask EraseAsync(ReceiptSubject subject, ReceiptErasure erasure)
    {
        var operation = new LedgerOperation { Erase = subject, Erasure = erasure, QueuedAt = _time.GetUtcNow() };
        foreach (var pending in _pending.Values)
        {
            if (subject.Matches(pending))
            {
                _pending.TryRemove(pending.ReceiptId, out _);
            }
        }

        return _options.Mode == ConsentLedgerMode.Strict ? WriteNowAsync(operation) : Enqueue(operation);
    }

    /// <summary>A subject's receipts: those in the store and those still on their way to it.</summary>
    public async ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default)
    {
        // Pending first: a receipt leaves the pending set only after the store has it, so whatever
        // lands while the store is read was seen here. Read the other way round, a receipt stored
        // during the query was in neither answer.
        var pending = _pending.Values.Where(subject.Matches).ToList();
        var stored = await _store.FindAsync(subject, cancellationToken).ConfigureAwait(false);
        if (pending.Count == 0)
        {
            return stored;
        }

        var ids = stored.Select(r => r.ReceiptId).ToHashSet(StringComparer.Ordinal);
        return [.. stored.Concat(pending.Where(r => !ids.Contains(r.ReceiptId))).OrderBy(r => r.Timestamp)];
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Drains the queue into the store until the host's shutdown timeout, then spills the rest.</summary>
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
        // Registered both as itself and as a hosted service, so the container disposes it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _abort.Cancel();
        _abort.Dispose();
        _spill.Dispose();
    }

    private ValueTask Enqueue(LedgerOperation operation)
    {
        if (!_spill.IsActive && _queue.Writer.TryWrite(operation))
        {
            return ValueTask.CompletedTask;
        }

        // The store is down or the queue is full: keep the operation on disk, behind the ones already there.
        Spill([operation], wake: true);
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Strict mode. The request's own cancellation is not passed on: once a decision is being made,
    /// a client that goes away must not stop its proof from being kept.
    /// </summary>
    private async ValueTask WriteNowAsync(LedgerOperation operation)
    {
        var cancellationToken = CancellationToken.None;
        if (!_spill.IsActive)
        {
            var delay = _options.RetryDelay;
            for (var attempt = 1; attempt <= AttemptsBeforeSpill; attempt++)
            {
                try
                {
                    await ApplyTracedAsync([operation], cancellationToken).ConfigureAwait(false);
                    return;
                }
                catch (Exception ex) when (NoteStoreFailure(ex, cancellationToken))
                {
                    _metrics.LedgerRetried();
                    _logger.LedgerWriteFailed(1, attempt, ex);
                    if (attempt < AttemptsBeforeSpill)
                    {
                        await Task.Delay(Jittered(delay), _time, cancellationToken).ConfigureAwait(false);
                        delay = NextDelay(delay);
                    }
                }
            }
        }

        // Durable on disk; the writer replays it when the store answers. Throws if the disk refuses too.
        Spill([operation], wake: true, throwOnFailure: true);
    }

    private async Task RunAsync()
    {
        var token = _abort.Token;
        var batch = new List<LedgerOperation>(_options.BatchSize);
        try
        {
            AdoptOrphans();
            var delay = _options.RetryDelay;
            while (true)
            {
                if (_spill.IsActive)
                {
                    if (_stopping.Task.IsCompleted)
                    {
                        // Shutting down: the file is replayed at the next start.
                        break;
                    }

                    // Whatever reached the queue meanwhile goes behind the file (wake-ups are dropped).
                    Drain(batch, all: true);
                    if (batch.Count > 0)
                    {
                        Spill(batch, wake: false);
                        batch.Clear();
                        _inFlightSince = null;
                    }

                    if (await TryReplayAsync(token).ConfigureAwait(false))
                    {
                        delay = _options.RetryDelay;
                    }
                    else
                    {
                        await WaitAsync(delay, token).ConfigureAwait(false);
                        delay = NextDelay(delay);
                    }

                    continue;
                }

                if (!await _queue.Reader.WaitToReadAsync(token).ConfigureAwait(false))
                {
                    break;
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
                    await WriteWithRetryAsync(batch, token).ConfigureAwait(false);
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
            // Nothing reads the queue any more: close it so every later operation goes to the spill file.
            _queue.Writer.TryComplete();
            _logger.LedgerWriterFailed(ex);
        }
        finally
        {
            // Whatever did not reach the store is kept on disk for the next start.
            Drain(batch, all: true);
            if (batch.Count > 0)
            {
                _logger.LedgerShutdownSpilled(batch.Count);
                Spill(batch, wake: false);
            }

            _inFlightSince = null;
        }
    }

    private async Task WriteWithRetryAsync(List<LedgerOperation> batch, CancellationToken token)
    {
        var delay = _options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await ApplyTracedAsync(batch, token).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (NoteStoreFailure(ex, token))
            {
                _metrics.LedgerRetried();
                _logger.LedgerWriteFailed(batch.Count, attempt, ex);
                if (attempt >= AttemptsBeforeSpill)
                {
                    // The store stays down: move the batch and the queue to disk so a crash loses nothing.
                    Drain(batch, all: true);
                    Spill(batch, wake: false);
                    return;
                }

                await Task.Delay(Jittered(delay), _time, token).ConfigureAwait(false);
                delay = NextDelay(delay);
            }
        }
    }

    private async Task<bool> TryReplayAsync(CancellationToken token)
    {
        long offset = 0;
        while (true)
        {
            var (operations, next) = _spill.Read(offset);
            if (operations.Count == 0)
            {
                lock (_spillLock)
                {
                    if (_spill.TryComplete(next))
                    {
                        return true;
                    }
                }

                offset = next;
                continue;
            }

            for (var start = 0; start < operations.Count; start += _options.BatchSize)
            {
                var slice = operations.GetRange(start, Math.Min(_options.BatchSize, operations.Count - start));
                try
                {
                    await ApplyTracedAsync(slice, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (NoteStoreFailure(ex, token))
                {
                    _metrics.LedgerRetried();
                    _logger.LedgerWriteFailed(slice.Count, 0, ex);
                    return false;
                }

                _metrics.LedgerReplayed(slice.Count);
            }

            if (operations.Count > 0)
            {
                _logger.LedgerReplayed(operations.Count);
            }

            lock (_spillLock)
            {
                if (_spill.TryComplete(next))
                {
                    return true;
                }
            }

            offset = next;
        }
    }

    /// <summary>Writes operations in order: consecutive appends in one call, each erasure on its own.</summary>
    /// <summary>One write to the store, traced: how many operations, and whether the store took them.</summary>
    private async Task ApplyTracedAsync(List<LedgerOperation> operations, CancellationToken token)
    {
        using var activity = FirstPartyActivities.Source.StartActivity(FirstPartyActivities.LedgerWrite, ActivityKind.Client);
        activity?.SetTag("firstparty.ledger.operations", operations.Count);
        try
        {
            await ApplyAsync(operations, token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            FirstPartyActivities.Failed(activity, ex);
            throw;
        }
    }

    private async Task ApplyAsync(List<LedgerOperation> operations, CancellationToken token)
    {
        var appends = new List<LedgerOperation>(operations.Count);
        foreach (var operation in operations)
        {
            if (operation.Append is not null)
            {
                appends.Add(operation);
                continue;
            }

            if (operation.Erase is { } subject)
            {
                await FlushAppendsAsync(appends, token).ConfigureAwait(false);

                // The tombstone reaches receipts made on instances whose clocks run ahead of this one.
                await EraseAsync(subject, operation.Erasure, operation.QueuedAt + _options.ErasureClockSkew, token).ConfigureAwait(false);
            }
        }

        await FlushAppendsAsync(appends, token).ConfigureAwait(false);
        _storeFailing = false;
    }

    private async Task FlushAppendsAsync(List<LedgerOperation> appends, CancellationToken token)
    {
        if (appends.Count == 0)
        {
            return;
        }

        var receipts = appends.ConvertAll(static a => a.Append!);
        await _store.AppendAsync(receipts, token).ConfigureAwait(false);
        _metrics.LedgerWritten(receipts.Count);
        foreach (var receipt in receipts)
        {
            _pending.TryRemove(receipt.ReceiptId, out _);
        }

        // A receipt that reaches the store after its subject's erasure (from this instance's spill
        // file, after a restart, or while another instance erased) is erased by the store itself
        // against the erasure's tombstone: no memory here could know another instance's erasures.
        appends.Clear();
    }

    private async Task EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, DateTimeOffset erasedBefore, CancellationToken token)
    {
        var erased = await _store.EraseAsync(subject, erasure, erasedBefore, token).ConfigureAwait(false);
        _metrics.LedgerErased(erased);
        _logger.ReceiptsErased(subject.Kind.ToString(), erased, erasure.ToString());
    }

    private void Drain(List<LedgerOperation> batch, bool all = false)
    {
        while ((all || batch.Count < _options.BatchSize) && _queue.Reader.TryRead(out var operation))
        {
            if (!operation.IsWake)
            {
                batch.Add(operation);
                _inFlightSince ??= operation.QueuedAt;
            }
        }
    }

    private void Spill(List<LedgerOperation> operations, bool wake, bool throwOnFailure = false)
    {
        try
        {
            lock (_spillLock)
            {
                var first = !_spill.IsActive;
                _spill.Append(operations);
                _spillFailing = false;
                if (first)
                {
                    _logger.LedgerSpilling(_spill.FilePath);
                }
            }

            _metrics.LedgerSpilled(operations.Count);
            foreach (var operation in operations)
            {
                // Kept on disk now; lookups cannot see it until the store has it again.
                if (operation.Append is { } receipt)
                {
                    _pending.TryRemove(receipt.ReceiptId, out _);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Neither the store nor the disk would take them: say so loudly, never silently.
            _spillFailing = true;
            _metrics.LedgerFailed(operations.Count);
            _logger.ReceiptsLost(operations.Count, ex);
            foreach (var operation in operations)
            {
                // Not kept anywhere: it must not show up as pending in anyone's history either.
                if (operation.Append is { } receipt)
                {
                    _pending.TryRemove(receipt.ReceiptId, out _);
                }
            }

            if (throwOnFailure)
            {
                throw;
            }

            return;
        }

        if (wake)
        {
            // The loop may be waiting on an empty queue: it must notice the spill file.
            _queue.Writer.TryWrite(LedgerOperation.Wake);
        }
    }

    private void AdoptOrphans()
    {
        foreach (var (path, operations) in _spill.AdoptOrphans())
        {
            lock (_spillLock)
            {
                _spill.Append(operations);
            }

            File.Delete(path);
            _logger.LedgerAdoptedSpillFile(path, operations.Count);
        }
    }

    private async Task WaitAsync(TimeSpan delay, CancellationToken token)
    {
        // Sleep through the backoff, but wake for shutdown.
        await Task.WhenAny(Task.Delay(Jittered(delay), _time, token), _stopping.Task).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
    }

    private bool NoteStoreFailure(Exception ex, CancellationToken token)
    {
        if (ex is OperationCanceledException && token.IsCancellationRequested)
        {
            return false;
        }

        _storeFailing = true;
        return ex is not OutOfMemoryException;
    }

    /// <summary>
    /// Between half the backoff and all of it: a farm's instances that lost the database together
    /// must not retry in lockstep, and a retry never comes later than the configured backoff.
    /// </summary>
    internal static TimeSpan Jittered(TimeSpan delay)
        => delay <= TimeSpan.Zero ? delay : TimeSpan.FromTicks((delay.Ticks / 2) + Random.Shared.NextInt64((delay.Ticks / 2) + 1));

    private TimeSpan NextDelay(TimeSpan delay)
    {
        var doubled = delay * 2;
        return doubled > _options.MaxRetryDelay ? _options.MaxRetryDelay : doubled;
    }
}
