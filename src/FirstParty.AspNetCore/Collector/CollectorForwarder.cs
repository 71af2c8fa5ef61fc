using System.Diagnostics.Metrics;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// One durable outbox per enabled vendor, so a vendor that is down delays only its own events: a
/// bounded queue, batches per upstream, retries with backoff and jitter, a spill file replayed on
/// recovery, and a drain on shutdown (the same machinery as the consent ledger's).
/// </summary>
internal sealed class CollectorForwarder : IHostedService, IDisposable
{
    private readonly Dictionary<string, DurableOutbox<CollectorEnvelope>> _outboxes = new(StringComparer.Ordinal);

    public CollectorForwarder(
        IOptions<FirstPartyOptions> options,
        IEnumerable<ICollectorVendor> vendors,
        CollectorUpstreamClient client,
        FirstPartyMetrics metrics,
        TimeProvider time,
        ILogger<CollectorForwarder> logger,
        IHostEnvironment? environment = null)
    {
        var collector = options.Value.Collector;
        if (!collector.Enabled)
        {
            return;
        }

        var root = Path.IsPathRooted(collector.SpillDirectory)
            ? collector.SpillDirectory
            : Path.Combine(environment?.ContentRootPath ?? AppContext.BaseDirectory, collector.SpillDirectory);
        foreach (var vendor in vendors)
        {
            if (vendor.OptionsOf(collector).Upstream is not { } upstream)
            {
                continue;
            }

            var settings = new OutboxSettings
            {
                Name = "collector-" + vendor.Name,
                SpillDirectory = Path.Combine(root, vendor.Name),
                QueueCapacity = collector.QueueCapacity,
                BatchSize = collector.BatchSize,
                BatchDelay = collector.BatchDelay,
                RetryDelay = collector.RetryDelay,
                MaxRetryDelay = collector.MaxRetryDelay,
            };
            var sink = new CollectorUpstreamSink(vendor, upstream, client, metrics, logger);
            var observer = new CollectorOutboxObserver(vendor.Name, metrics, logger);
            _outboxes[vendor.Name] = new DurableOutbox<CollectorEnvelope>(settings, sink, observer, CollectorJsonContext.Default.CollectorEnvelope, time);
        }

        metrics.ObserveCollector(
            () => _outboxes.Select(static o => new Measurement<int>(o.Value.QueueDepth, new KeyValuePair<string, object?>("vendor", o.Key))),
            () => _outboxes.Select(static o => new Measurement<long>(o.Value.SpilledCount, new KeyValuePair<string, object?>("vendor", o.Key))),
            () => _outboxes.Select(static o => new Measurement<double>(o.Value.OldestPendingAge.TotalSeconds, new KeyValuePair<string, object?>("vendor", o.Key))));
    }

    /// <summary>The outbox of each enabled vendor, by vendor name.</summary>
    public IReadOnlyDictionary<string, DurableOutbox<CollectorEnvelope>> Outboxes => _outboxes;

    /// <summary>Queues an envelope for its vendor (or spills it to disk when the queue is full or the vendor down).</summary>
    public ValueTask EnqueueAsync(ICollectorVendor vendor, CollectorEnvelope envelope)
        => _outboxes.TryGetValue(vendor.Name, out var outbox) ? outbox.EnqueueAsync(envelope) : ValueTask.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var outbox in _outboxes.Values)
        {
            outbox.Start();
        }

        return Task.CompletedTask;
    }

    /// <summary>Drains every vendor's queue until the host's shutdown timeout, then spills the rest.</summary>
    public Task StopAsync(CancellationToken cancellationToken)
        => Task.WhenAll(_outboxes.Values.Select(o => o.StopAsync(cancellationToken)));

    public void Dispose()
    {
        foreach (var outbox in _outboxes.Values)
        {
            outbox.Dispose();
        }
    }
}
