// Placeholder with the contract of /work/wt/ISSUE13.md; replaced by the outbox branch.
#pragma warning disable CA1822, IDE0052, IDE0060 // placeholder
using System.Text.Json.Serialization.Metadata;
using System.Threading.Channels;

namespace FirstParty.AspNetCore.Outbox;

internal interface IOutboxItem
{
    DateTimeOffset QueuedAt { get; }
}

internal enum DeliveryOutcome : byte
{
    Retry = 0,
    Delivered,
    Rejected,
}

internal interface IOutboxSink<T>
    where T : class, IOutboxItem
{
    Task DeliverAsync(IReadOnlyList<T> batch, DeliveryOutcome[] outcomes, CancellationToken cancellationToken);
}

internal sealed record OutboxSettings
{
    public required string Name { get; init; }

    public required string SpillDirectory { get; init; }

    public int QueueCapacity { get; init; } = 10_000;

    public int BatchSize { get; init; } = 256;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public int AttemptsBeforeSpill { get; init; } = 3;
}

internal interface IOutboxObserver<T>
{
}

internal sealed class DurableOutbox<T> : IDisposable
    where T : class, IOutboxItem
{
    private readonly OutboxSettings _settings;
    private readonly IOutboxSink<T> _sink;
    private readonly Channel<T> _queue;
    private Task _loop = Task.CompletedTask;

    public DurableOutbox(OutboxSettings settings, IOutboxSink<T> sink, IOutboxObserver<T> observer, JsonTypeInfo<T> json, TimeProvider time)
    {
        _settings = settings;
        _sink = sink;
        _queue = Channel.CreateBounded<T>(settings.QueueCapacity);
    }

    public int QueueDepth => _queue.Reader.Count;

    public long SpilledCount => 0;

    public TimeSpan OldestPendingAge => TimeSpan.Zero;

    public bool SinkFailing { get; private set; }

    public bool SpillFailing => false;

    public ValueTask EnqueueAsync(T item) => _queue.Writer.WriteAsync(item);

    public async ValueTask DeliverNowAsync(T item)
    {
        var outcomes = new DeliveryOutcome[1];
        await _sink.DeliverAsync([item], outcomes, CancellationToken.None).ConfigureAwait(false);
    }

    public void Start() => _loop = Task.Run(RunAsync);

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    public void Dispose()
    {
    }

    private async Task RunAsync()
    {
        var batch = new List<T>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < _settings.BatchSize && _queue.Reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            while (batch.Count > 0)
            {
                var outcomes = new DeliveryOutcome[batch.Count];
                try
                {
                    await _sink.DeliverAsync(batch, outcomes, CancellationToken.None).ConfigureAwait(false);
                    SinkFailing = false;
                }
                catch (Exception)
                {
                    SinkFailing = true;
                }

                var retry = new List<T>();
                for (var i = 0; i < batch.Count; i++)
                {
                    if (outcomes[i] == DeliveryOutcome.Retry)
                    {
                        retry.Add(batch[i]);
                    }
                }

                batch = retry;
                if (batch.Count > 0)
                {
                    await Task.Delay(_settings.RetryDelay).ConfigureAwait(false);
                }
            }
        }
    }
}
