using System.Collections.Concurrent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// Gets receipts into the <see cref="IConsentLedger"/> without putting the store on a request's
/// critical path, through a <see cref="DurableOutbox{T}"/>: a bounded queue drained in batches,
/// retries with backoff, a spill file replayed in order once the store answers again, a drain on
/// shutdown and the adoption of a crashed run's spill file. Appends are idempotent by receipt id,
/// so a replay never writes a receipt twice. The writer adds what is the ledger's own: receipts on
/// their way to the store are found by lookups, and an erasure hides them at once.
/// </summary>
internal sealed class ConsentLedgerWriter : IHostedService, IDisposable
{
    /// <summary>Failed attempts before the writer stops holding operations in memory and spills them.</summary>
    internal const int AttemptsBeforeSpill = 3;

    private readonly IConsentLedger _store;
    private readonly ConsentLedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, ConsentReceipt> _pending = new(StringComparer.Ordinal);
    private readonly PendingErasures _erasures;
    private readonly DurableOutbox<LedgerOperation> _outbox;

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
        _erasures = new PendingErasures(_options.ErasureClockSkew);
        var directory = Path.IsPathRooted(_options.SpillDirectory)
            ? _options.SpillDirectory
            : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, _options.SpillDirectory);
        var settings = new OutboxSettings
        {
            Name = "ledger",
            SpillDirectory = directory,
            QueueCapacity = _options.QueueCapacity,
            BatchSize = _options.BatchSize,
            RetryDelay = _options.RetryDelay,
            MaxRetryDelay = _options.MaxRetryDelay,
            AttemptsBeforeSpill = AttemptsBeforeSpill,
        };
        _outbox = new DurableOutbox<LedgerOperation>(
            settings,
            new LedgerStoreSink(store, _options, metrics, logger, _pending, _erasures),
            new LedgerOutboxObserver(metrics, logger, _pending, _erasures),
            LedgerJsonContext.Default.LedgerOperation,
            time,
            LedgerOperation.IsValid);
        metrics.ObserveLedger(() => QueueDepth, () => SpilledCount, () => OldestPendingAge.TotalSeconds);
    }

    /// <summary>Operations waiting in memory.</summary>
    public int QueueDepth => _outbox.QueueDepth;

    /// <summary>Receipts recorded but not yet in the store or the spill file.</summary>
    internal int PendingReceipts => _pending.Count;

    /// <summary>Operations waiting in the spill file.</summary>
    public long SpilledCount => _outbox.SpilledCount;

    /// <summary>True while the last write to the store failed.</summary>
    public bool StoreFailing => _outbox.SinkFailing;

    /// <summary>True while the last write to the spill file failed: receipts are being lost.</summary>
    public bool SpillFailing => _outbox.SpillFailing;

    /// <summary>The store behind the writer.</summary>
    public IConsentLedger Store => _store;

    /// <summary>How long the oldest operation not yet in the store has waited.</summary>
    public TimeSpan OldestPendingAge => _outbox.OldestPendingAge;

    /// <summary>
    /// Records a receipt. In <see cref="ConsentLedgerMode.Background"/> mode this only queues it; in
    /// <see cref="ConsentLedgerMode.Strict"/> mode it returns once the receipt is in the store or in
    /// the spill file, and throws when neither would take it.
    /// </summary>
    public ValueTask RecordAsync(ConsentReceipt receipt)
    {
        var operation = new LedgerOperation { Append = receipt, QueuedAt = _time.GetUtcNow() };
        _pending[receipt.ReceiptId] = receipt;
        return Submit(operation);
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

        _erasures.Add(operation);
        return Submit(operation);
    }

    /// <summary>A subject's receipts: those in the store and those still on their way to it.</summary>
    public async ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default)
    {
        // Pending first: a receipt leaves the pending set only after the store has it, so whatever
        // lands while the store is read was seen here. Read the other way round, a receipt stored
        // during the query was in neither answer.
        var pending = _pending.Values.Where(subject.Matches).ToList();
        var stored = await _store.FindAsync(subject, cancellationToken).ConfigureAwait(false);
        if (!_erasures.IsEmpty)
        {
            // Erased on request but not yet in the store: gone as far as anyone asking can tell.
            stored = [.. stored.Where(r => !_erasures.Hides(r))];
        }

        if (pending.Count == 0)
        {
            return stored;
        }

        var ids = stored.Select(r => r.ReceiptId).ToHashSet(StringComparer.Ordinal);
        return [.. stored.Concat(pending.Where(r => !ids.Contains(r.ReceiptId))).OrderBy(r => r.Timestamp)];
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _outbox.Start();
        return Task.CompletedTask;
    }

    /// <summary>Drains the queue into the store until the host's shutdown timeout, then spills the rest.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _outbox.StopAsync(cancellationToken);

    // Registered both as itself and as a hosted service, so the container disposes it twice: the outbox ignores the second.
    public void Dispose() => _outbox.Dispose();

    /// <summary>The wait before a retry: see <see cref="OutboxBackoff.Jittered"/>.</summary>
    internal static TimeSpan Jittered(TimeSpan delay) => OutboxBackoff.Jittered(delay);

    // Strict mode waits for the store or the disk; a client that goes away must not stop its proof from being kept.
    private ValueTask Submit(LedgerOperation operation)
        => _options.Mode == ConsentLedgerMode.Strict ? _outbox.DeliverNowAsync(operation) : _outbox.EnqueueAsync(operation);
}
