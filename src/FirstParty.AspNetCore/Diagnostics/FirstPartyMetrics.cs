using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FirstParty.AspNetCore.Diagnostics;

/// <summary>
/// FirstParty's instruments, on the <c>FirstParty.AspNetCore</c> meter.
/// </summary>
internal sealed class FirstPartyMetrics
{
    public const string MeterName = "FirstParty.AspNetCore";

    public const string DecisionsName = "firstparty.consent.decisions";
    public const string BannerImpressionsName = "firstparty.consent.banner.impressions";
    public const string CookiesRescuedName = "firstparty.providers.cookies.rescued";

    private readonly Counter<long> _newVisitors;
    private readonly Counter<long> _newSessions;
    private readonly Counter<long> _rejectedCookies;
    private readonly Counter<long> _decisions;
    private readonly Counter<long> _suppressed;
    private readonly Meter _meter;
    private readonly Counter<long> _ledgerWritten;
    private readonly Counter<long> _ledgerRetried;
    private readonly Counter<long> _ledgerSpilled;
    private readonly Counter<long> _ledgerReplayed;
    private readonly Counter<long> _ledgerFailed;
    private readonly Counter<long> _ledgerErased;
    private readonly Counter<long> _ledgerPurged;
    private readonly Counter<long> _consentCombined;
    private readonly Counter<long> _linksAdopted;
    private readonly Counter<long> _linksRejected;
    private readonly Counter<long> _linkReplayStoreFailed;
    private readonly Counter<long> _collectorAccepted;
    private readonly Counter<long> _collectorDropped;
    private readonly Counter<long> _collectorIdsReplaced;
    private readonly Counter<long> _collectorForwarded;
    private readonly Counter<long> _collectorRetried;
    private readonly Counter<long> _collectorSpilled;
    private readonly Counter<long> _collectorFailed;
    private readonly Counter<long> _bannerImpressions;
    private readonly Counter<long> _cookiesRescued;

    public FirstPartyMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _newVisitors = meter.CreateCounter<long>("firstparty.visitors.new", "{visitor}", "Visitor ids minted.");
        _newSessions = meter.CreateCounter<long>("firstparty.sessions.new", "{session}", "Sessions started.");
        _suppressed = meter.CreateCounter<long>("firstparty.cookies.suppressed", "{cookie}", "Cookies the app wrote that consent did not allow.");
        _decisions = meter.CreateCounter<long>(DecisionsName, "{decision}", "Consent decisions, by source, regime, opt-out signal, region (country), policy revision and layer (first: the banner, second: the preferences, none: an API or a signal).");
        _bannerImpressions = meter.CreateCounter<long>(BannerImpressionsName, "{impression}", "Consent banners rendered by the server, by layout, region (country), policy revision and language.");
        _cookiesRescued = meter.CreateCounter<long>(CookiesRescuedName, "{cookie}", "SDK id cookies re-created from the server's visitor after the browser purged them (Safari's and Brave's caps on script-written cookies), by provider and browser family.");
        _rejectedCookies = meter.CreateCounter<long>("firstparty.cookies.rejected", "{cookie}", "Request cookies ignored because they were malformed, forged, oversized or of an unknown version.");
        _ledgerWritten = meter.CreateCounter<long>("firstparty.ledger.written", "{receipt}", "Receipts written to the consent ledger's store.");
        _ledgerRetried = meter.CreateCounter<long>("firstparty.ledger.retried", "{attempt}", "Failed writes to the consent ledger's store that will be retried.");
        _ledgerSpilled = meter.CreateCounter<long>("firstparty.ledger.spilled", "{operation}", "Ledger operations kept in the spill file while the store was down or the queue full.");
        _ledgerReplayed = meter.CreateCounter<long>("firstparty.ledger.replayed", "{operation}", "Ledger operations replayed from the spill file into the store.");
        _ledgerFailed = meter.CreateCounter<long>("firstparty.ledger.failed", "{operation}", "Ledger operations that neither the store nor the spill file would take.");
        _ledgerErased = meter.CreateCounter<long>("firstparty.ledger.erased", "{receipt}", "Receipts erased (deleted or pseudonymised) on request.");
        _linksAdopted = meter.CreateCounter<long>("firstparty.linking.adopted", "{link}", "Visitor ids adopted from a sister site's signed link.");
        _linksRejected = meter.CreateCounter<long>("firstparty.linking.rejected", "{link}", "Cross-domain link parameters not adopted, by reason.");
        _linkReplayStoreFailed = meter.CreateCounter<long>("firstparty.linking.replay_store.failed", "{check}", "Link replay checks the shared store (IDistributedCache) failed or timed out on, by reason; the instance's memory decided instead.");
        _consentCombined = meter.CreateCounter<long>("firstparty.consent.combined", "{request}", "Requests carrying several valid consent cookies, decided by what all of them grant.");
        _collectorAccepted = meter.CreateCounter<long>("firstparty.collector.accepted", "{event}", "Events the collector took and queued for their vendor, by vendor.");
        _collectorDropped = meter.CreateCounter<long>("firstparty.collector.dropped", "{event}", "Events the collector did not forward, by vendor and reason (consent, malformed, too_large).");
        _collectorIdsReplaced = meter.CreateCounter<long>("firstparty.collector.ids.replaced", "{id}", "Ids in events that differed from the server's and were replaced, by vendor.");
        _collectorForwarded = meter.CreateCounter<long>("firstparty.collector.forwarded", "{event}", "Events the vendor's API took, by vendor.");
        _collectorRetried = meter.CreateCounter<long>("firstparty.collector.retried", "{event}", "Events whose delivery failed and will be retried, by vendor.");
        _collectorSpilled = meter.CreateCounter<long>("firstparty.collector.spilled", "{event}", "Events kept in the spill file while the vendor was down or the queue full, by vendor.");
        _collectorFailed = meter.CreateCounter<long>("firstparty.collector.failed", "{event}", "Events the vendor rejected or that could not be kept, by vendor and reason (rejected, lost).");
        _ledgerPurged = meter.CreateCounter<long>("firstparty.ledger.purged", "{receipt}", "Receipts deleted by the retention purge.");
    }

    /// <summary>Publishes the ledger writer's queue depth, spill backlog and oldest pending age (in seconds), read when observed.</summary>
    internal void ObserveLedger(Func<int> queueDepth, Func<long> spilled, Func<double> oldestPendingSeconds)
    {
        _meter.CreateObservableGauge("firstparty.ledger.queue.depth", queueDepth, "{operation}", "Ledger operations waiting in memory.");
        _meter.CreateObservableGauge("firstparty.ledger.spill.depth", spilled, "{operation}", "Ledger operations waiting in the spill file.");
        _meter.CreateObservableGauge("firstparty.ledger.pending.age", oldestPendingSeconds, "s", "How long the oldest ledger operation not yet in the store has waited.");
    }

    /// <summary>Publishes each collector outbox's queue depth, spill backlog and oldest pending age, read when observed.</summary>
    internal void ObserveCollector(Func<IEnumerable<Measurement<int>>> queueDepth, Func<IEnumerable<Measurement<long>>> spilled, Func<IEnumerable<Measurement<double>>> oldestPendingSeconds)
    {
        _meter.CreateObservableGauge("firstparty.collector.queue.depth", queueDepth, "{event}", "Collector events waiting in memory, by vendor.");
        _meter.CreateObservableGauge("firstparty.collector.spill.depth", spilled, "{event}", "Collector events waiting in the spill file, by vendor.");
        _meter.CreateObservableGauge("firstparty.collector.pending.age", oldestPendingSeconds, "s", "How long the oldest collector event not yet forwarded has waited, by vendor.");
    }

    public void CollectorAccepted(string vendor, int count) => _collectorAccepted.Add(count, new KeyValuePair<string, object?>("vendor", vendor));

    public void CollectorDropped(string vendor, string reason, int count) => _collectorDropped.Add(count, new KeyValuePair<string, object?>("vendor", vendor), new KeyValuePair<string, object?>("reason", reason));

    public void CollectorIdsReplaced(string vendor, int count) => _collectorIdsReplaced.Add(count, new KeyValuePair<string, object?>("vendor", vendor));

    public void CollectorForwarded(string vendor, int count) => _collectorForwarded.Add(count, new KeyValuePair<string, object?>("vendor", vendor));

    public void CollectorRetried(string vendor, int count) => _collectorRetried.Add(count, new KeyValuePair<string, object?>("vendor", vendor));

    public void CollectorSpilled(string vendor, int count) => _collectorSpilled.Add(count, new KeyValuePair<string, object?>("vendor", vendor));

    public void CollectorFailed(string vendor, string reason, int count) => _collectorFailed.Add(count, new KeyValuePair<string, object?>("vendor", vendor), new KeyValuePair<string, object?>("reason", reason));

    public void LedgerWritten(int count) => _ledgerWritten.Add(count);

    public void LedgerRetried() => _ledgerRetried.Add(1);

    public void LedgerSpilled(int count) => _ledgerSpilled.Add(count);

    public void LedgerReplayed(int count) => _ledgerReplayed.Add(count);

    public void LedgerFailed(int count) => _ledgerFailed.Add(count);

    public void LedgerErased(int count) => _ledgerErased.Add(count);

    public void LedgerPurged(int count) => _ledgerPurged.Add(count);

    public void LinkAdopted() => _linksAdopted.Add(1);

    public void LinkRejected(string reason) => _linksRejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void LinkReplayStoreFailed(string reason) => _linkReplayStoreFailed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void NewVisitor() => _newVisitors.Add(1);

    public void NewSession() => _newSessions.Add(1);

    public void CookieRejected(string cookie, string reason)
        => _rejectedCookies.Add(1, new KeyValuePair<string, object?>("cookie", cookie), new KeyValuePair<string, object?>("reason", reason));

    /// <summary>A decision; <paramref name="region"/> is reduced to its country (<see cref="MetricTags.Region"/>).</summary>
    public void ConsentDecided(string source, string regime, bool gpc, string? region, int revision, string layer)
    {
        if (!_decisions.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "source", source },
            { "regime", regime },
            { "gpc", MetricTags.Flag(gpc) },
            { "region", MetricTags.Region(region) },
            { "revision", MetricTags.Revision(revision) },
            { "layer", layer },
        };
        _decisions.Add(1, in tags);
    }

    /// <summary>A banner the server rendered for a person to decide on.</summary>
    public void BannerShown(string layout, string? region, int revision, System.Globalization.CultureInfo language)
    {
        if (!_bannerImpressions.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "layout", layout },
            { "region", MetricTags.Region(region) },
            { "revision", MetricTags.Revision(revision) },
            { "language", MetricTags.Language(language) },
        };
        _bannerImpressions.Add(1, in tags);
    }

    /// <summary>An SDK cookie re-created for a visitor the server already knew.</summary>
    public void CookieRescued(string provider, Microsoft.AspNetCore.Http.HttpRequest request)
    {
        if (_cookiesRescued.Enabled)
        {
            _cookiesRescued.Add(1, new KeyValuePair<string, object?>("provider", provider), new KeyValuePair<string, object?>("browser", BrowserFamily.Of(request)));
        }
    }

    public void ConsentCookiesCombined() => _consentCombined.Add(1);

    public void CookieSuppressed(string category) => _suppressed.Add(1, new KeyValuePair<string, object?>("category", category));
}
