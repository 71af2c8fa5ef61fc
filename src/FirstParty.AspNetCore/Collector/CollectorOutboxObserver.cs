using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Collector;

/// <summary>A vendor outbox's metrics and logs (the collector's event ids 62-69).</summary>
internal sealed class CollectorOutboxObserver(string vendor, FirstPartyMetrics metrics, ILogger logger) : IOutboxObserver<CollectorEnvelope>
{
    public string Vendor => vendor;

    public FirstPartyMetrics Metrics => metrics;

    public ILogger Logger => logger;
}
