using System.Diagnostics;
using System.Diagnostics.Metrics;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary>One call that reached a <see cref="FakeConsentLedger"/> and succeeded, in the order the store saw it.</summary>
internal sealed record LedgerCall(string Kind, IReadOnlyList<string> ReceiptIds, ReceiptSubject? Subject, ReceiptErasure Erasure, DateTimeOffset ErasedBefore = default)
{
    public bool IsAppend => Kind == "append";

    public bool IsErase => Kind == "erase";
}

/// <summary>
/// A thread-safe store for the writer tests. It keeps what it was given (idempotent by receipt id,
/// like a real store), logs every successful call in order, can be blocked (a hung database: calls
/// wait on a gate until released or cancelled) and can be made to throw (a database that is down).
/// </summary>
internal sealed class FakeConsentLedger : IConsentLedger
{
    private readonly Lock _lock = new();
    private readonly List<ConsentReceipt> _stored = [];
    private readonly List<ConsentReceipt> _appended = [];
    private readonly List<LedgerCall> _calls = [];
    private readonly List<(ReceiptSubject Subject, DateTimeOffset ErasedBefore, ReceiptErasure Erasure)> _tombstones = [];
    private TaskCompletionSource _gate = NewGate(open: true);
    private int _appendsStarted;
    private int _failedCalls;
    private volatile bool _failing;
    private volatile bool _reachable = true;
    private volatile Exception? _reachableFailure;

    /// <summary>While true, appends, erasures and lookups throw as a database that is down would.</summary>
    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }

    /// <summary>What <see cref="IsReachableAsync"/> answers (independent of <see cref="Failing"/>).</summary>
    public bool Reachable
    {
        get => _reachable;
        set => _reachable = value;
    }

    /// <summary>When set, <see cref="IsReachableAsync"/> throws it.</summary>
    public Exception? ReachableFailure
    {
        get => _reachableFailure;
        set => _reachableFailure = value;
    }

    /// <summary>Append calls begun, including those still blocked or that failed.</summary>
    public int AppendsStarted => Volatile.Read(ref _appendsStarted);

    /// <summary>Calls that threw because the store was failing.</summary>
    public int FailedCalls => Volatile.Read(ref _failedCalls);

    /// <summary>Every receipt of every successful append, in order, duplicates included.</summary>
    public IReadOnlyList<ConsentReceipt> Appended
    {
        get
        {
            lock (_lock)
            {
                return [.. _appended];
            }
        }
    }

    /// <summary>What the store holds now.</summary>
    public IReadOnlyList<ConsentReceipt> Stored
    {
        get
        {
            lock (_lock)
            {
                return [.. _stored];
            }
        }
    }

    /// <summary>Successful calls in the order the store took them.</summary>
    public IReadOnlyList<LedgerCall> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public IReadOnlyList<LedgerCall> Erasures => [.. Calls.Where(c => c.IsErase)];

    /// <summary>From now on appends and erasures wait until <see cref="Release"/>.</summary>
    public void Block()
    {
        lock (_lock)
        {
            if (_gate.Task.IsCompleted)
            {
                _gate = NewGate(open: false);
            }
        }
    }

    public void Release()
    {
        TaskCompletionSource gate;
        lock (_lock)
        {
            gate = _gate;
        }

        gate.TrySetResult();
    }

    public async ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default)
    {
        // The writer reuses its list after the call: keep a copy.
        var copy = receipts.ToList();
        Interlocked.Increment(ref _appendsStarted);
        await WaitAsync(cancellationToken);
        ThrowIfFailing();
        lock (_lock)
        {
            _calls.Add(new LedgerCall("append", [.. copy.Select(r => r.ReceiptId)], null, default));
            foreach (var original in copy)
            {
                _appended.Add(original);

                // Like a real store: a receipt made before an erasure of its subject is erased on arrival.
                var tombstones = _tombstones.Where(t => t.Subject.Matches(original) && original.Timestamp < t.ErasedBefore).ToList();
                if (tombstones.Exists(t => t.Erasure == ReceiptErasure.Delete))
                {
                    continue;
                }

                var receipt = tombstones.Count > 0 ? ReceiptPseudonyms.Apply(original, Guid.NewGuid().ToString()) : original;
                if (!_stored.Exists(r => r.ReceiptId == receipt.ReceiptId))
                {
                    _stored.Add(receipt);
                }
            }
        }
    }

    /// <summary>When set, a lookup runs it after reading what the store holds and before answering (a slow query).</summary>
    public Func<Task>? AfterFindSnapshot { get; set; }

    public async ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        IReadOnlyList<ConsentReceipt> found;
        lock (_lock)
        {
            found = [.. _stored.Where(subject.Matches).OrderBy(r => r.Timestamp)];
        }

        if (AfterFindSnapshot is { } afterSnapshot)
        {
            await afterSnapshot();
        }

        return found;
    }

    public async ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, DateTimeOffset erasedBefore, CancellationToken cancellationToken = default)
    {
        await WaitAsync(cancellationToken);
        ThrowIfFailing();
        lock (_lock)
        {
            _tombstones.Add((subject, erasedBefore, erasure));
            var matching = _stored.Where(subject.Matches).ToList();
            _calls.Add(new LedgerCall("erase", [.. matching.Select(r => r.ReceiptId)], subject, erasure, erasedBefore));
            var pseudonyms = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var receipt in matching)
            {
                var index = _stored.IndexOf(receipt);
                if (erasure == ReceiptErasure.Delete)
                {
                    _stored.RemoveAt(index);
                }
                else
                {
                    if (!pseudonyms.TryGetValue(receipt.ConsentId, out var pseudonym))
                    {
                        pseudonyms[receipt.ConsentId] = pseudonym = Guid.NewGuid().ToString();
                    }

                    _stored[index] = ReceiptPseudonyms.Apply(receipt, pseudonym);
                }
            }

            return matching.Count;
        }
    }

    public ValueTask<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        ThrowIfFailing();
        lock (_lock)
        {
            return ValueTask.FromResult(_stored.RemoveAll(r => r.Timestamp < cutoff));
        }
    }

    public ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        if (ReachableFailure is { } failure)
        {
            throw failure;
        }

        return ValueTask.FromResult(Reachable);
    }

    private static TaskCompletionSource NewGate(bool open)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (open)
        {
            gate.SetResult();
        }

        return gate;
    }

    private Task WaitAsync(CancellationToken cancellationToken)
    {
        Task gate;
        lock (_lock)
        {
            gate = _gate.Task;
        }

        return gate.WaitAsync(cancellationToken);
    }

    private void ThrowIfFailing()
    {
        if (_failing)
        {
            Interlocked.Increment(ref _failedCalls);
            throw new InvalidOperationException("The fake database is down.");
        }
    }
}

/// <summary>Receipts for tests.</summary>
internal static class TestReceipts
{
    public static readonly DateTimeOffset At = new(2026, 3, 14, 9, 26, 53, TimeSpan.Zero);

    public static ConsentReceipt Create(
        string consentId = "consent-1",
        DateTimeOffset? timestamp = null,
        string? visitorId = null,
        string? userId = null,
        string source = "accept-all")
        => new()
        {
            ReceiptId = Guid.NewGuid().ToString(),
            ConsentId = consentId,
            VisitorId = visitorId,
            UserId = userId,
            Timestamp = timestamp ?? At,
            Revision = 1,
            NoticeHash = new string('a', 64),
            Regime = ConsentRegime.OptIn,
            Region = "FR",
            Language = "fr-FR",
            Source = source,
            Granted = ["necessary", "analytics"],
            Denied = ["marketing"],
            GlobalPrivacyControl = false,
            ExpiresAt = (timestamp ?? At).AddDays(395),
            PagePath = "/page",
            UserAgent = "Mozilla/5.0 (test)",
            IpAddress = "203.0.113.0",
        };

    /// <summary><paramref name="count"/> receipts a second apart, of consent ids <c>consent-0</c>, <c>consent-1</c>, ….</summary>
    public static List<ConsentReceipt> Many(int count, string prefix = "consent-")
        => [.. Enumerable.Range(0, count).Select(i => Create($"{prefix}{i}", At.AddSeconds(i)))];
}

/// <summary>Waits for the background writer without fixed sleeps: polls until a condition holds or a deadline passes.</summary>
internal static class Poll
{
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    public static Task UntilAsync(Func<bool> condition, string what) => UntilAsync(() => Task.FromResult(condition()), what);

    public static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > Deadline)
            {
                throw new Xunit.Sdk.XunitException($"Timed out after {Deadline.TotalSeconds} s waiting until {what}.");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>Awaits a task that must finish (it would hang forever if the code under test were broken).</summary>
    public static async Task CompletesAsync(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{what} did not complete within {Deadline.TotalSeconds} s.");
        }
    }
}

/// <summary>A fresh directory under the temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fp-ledger-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string[] SpillFiles()
        => Directory.Exists(Path) ? Directory.GetFiles(Path, "*" + OutboxSpillFile<LedgerOperation>.Extension) : [];

    /// <summary>Reads a file another handle may hold open.</summary>
    public static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

/// <summary>A <see cref="ConsentLedgerWriter"/> built by hand over a fake store, with its own meter factory.</summary>
internal sealed class LedgerWriterHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private bool _disposed;

    public LedgerWriterHost(string spillDirectory, FakeConsentLedger? store = null, Action<ConsentLedgerOptions>? configure = null, TimeProvider? time = null)
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        MeterFactory = _services.GetRequiredService<IMeterFactory>();
        Options = new FirstPartyOptions
        {
            Ledger =
            {
                RetryDelay = TimeSpan.FromMilliseconds(5),
                MaxRetryDelay = TimeSpan.FromMilliseconds(50),
                SpillDirectory = spillDirectory,
            },
        };
        configure?.Invoke(Options.Ledger);
        Store = store ?? new FakeConsentLedger();
        Writer = new ConsentLedgerWriter(
            Store,
            Microsoft.Extensions.Options.Options.Create(Options),
            time ?? TimeProvider.System,
            new FirstPartyMetrics(MeterFactory),
            NullLogger<ConsentLedgerWriter>.Instance);
    }

    public FirstPartyOptions Options { get; }

    public FakeConsentLedger Store { get; }

    public ConsentLedgerWriter Writer { get; }

    public IMeterFactory MeterFactory { get; }

    public static async Task<LedgerWriterHost> StartAsync(string spillDirectory, FakeConsentLedger? store = null, Action<ConsentLedgerOptions>? configure = null, TimeProvider? time = null)
    {
        var host = new LedgerWriterHost(spillDirectory, store, configure, time);
        await host.Writer.StartAsync(CancellationToken.None);
        return host;
    }

    public MetricCollector<long> Collect(string instrumentName) => new(MeterFactory, FirstPartyMetrics.MeterName, instrumentName);

    /// <summary>True once every operation left memory and the spill file.</summary>
    public bool Idle => Writer.QueueDepth == 0 && Writer.SpilledCount == 0;

    /// <summary>Stops the writer (as the host would) and disposes it, keeping whatever it spilled on disk.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        using (var timeout = new CancellationTokenSource(Poll.Deadline))
        {
            await Writer.StopAsync(timeout.Token);
        }

        Writer.Dispose();
        await _services.DisposeAsync();
    }
}
