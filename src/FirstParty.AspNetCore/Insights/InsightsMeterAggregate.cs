using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using FirstParty.AspNetCore.Diagnostics;

namespace FirstParty.AspNetCore.Insights;

/// <summary>
/// Sums this instance's banner impressions, decisions and rescued SDK cookies since it started,
/// by listening to its own meter (the app's <see cref="IMeterFactory"/>, so another host in the
/// same process is not counted). A dashboard over the exported metrics sees every instance; the
/// page shows what this one saw.
/// </summary>
internal sealed class InsightsMeterAggregate : IDisposable
{
    private readonly ConcurrentDictionary<(string Instrument, string First, string Second), long> _counts = new();
    private readonly MeterListener _listener;

    public InsightsMeterAggregate(IMeterFactory meterFactory, TimeProvider time)
    {
        Since = time.GetUtcNow();
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter.Scope, meterFactory)
                    && instrument.Meter.Name == FirstPartyMetrics.MeterName
                    && instrument.Name is FirstPartyMetrics.BannerImpressionsName or FirstPartyMetrics.DecisionsName or FirstPartyMetrics.CookiesRescuedName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>When counting began.</summary>
    public DateTimeOffset Since { get; }

    /// <summary>Banner impressions by region (country).</summary>
    public IReadOnlyDictionary<string, long> Impressions => Sum(FirstPartyMetrics.BannerImpressionsName, second: false);

    /// <summary>Decisions by region (country) and layer.</summary>
    public IReadOnlyDictionary<(string Region, string Layer), long> Decisions => Pairs(FirstPartyMetrics.DecisionsName);

    /// <summary>Rescued SDK cookies by provider and browser family.</summary>
    public IReadOnlyDictionary<(string Provider, string Browser), long> Rescued => Pairs(FirstPartyMetrics.CookiesRescuedName);

    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var (firstTag, secondTag) = instrument.Name switch
        {
            FirstPartyMetrics.DecisionsName => ("region", "layer"),
            FirstPartyMetrics.CookiesRescuedName => ("provider", "browser"),
            _ => ("region", string.Empty),
        };

        string first = MetricTags.Unknown, second = string.Empty;
        foreach (var tag in tags)
        {
            if (tag.Key == firstTag)
            {
                first = tag.Value as string ?? MetricTags.Unknown;
            }
            else if (tag.Key == secondTag)
            {
                second = tag.Value as string ?? MetricTags.Unknown;
            }
        }

        _counts.AddOrUpdate((instrument.Name, first, second), static (_, added) => added, static (_, total, added) => total + added, value);
    }

    private Dictionary<string, long> Sum(string instrument, bool second)
    {
        var sums = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var ((name, a, b), count) in _counts)
        {
            if (name == instrument)
            {
                var key = second ? b : a;
                sums[key] = sums.GetValueOrDefault(key) + count;
            }
        }

        return sums;
    }

    private Dictionary<(string, string), long> Pairs(string instrument)
    {
        var pairs = new Dictionary<(string, string), long>();
        foreach (var ((name, a, b), count) in _counts)
        {
            if (name == instrument)
            {
                pairs[(a, b)] = count;
            }
        }

        return pairs;
    }
}
