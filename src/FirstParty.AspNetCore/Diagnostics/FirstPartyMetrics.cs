using System.Diagnostics.Metrics;

namespace FirstParty.AspNetCore.Diagnostics;

/// <summary>
/// FirstParty's instruments, on the <c>FirstParty.AspNetCore</c> meter.
/// </summary>
internal sealed class FirstPartyMetrics
{
    public const string MeterName = "FirstParty.AspNetCore";

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

    public FirstPartyMetrics(IMeterFactory meterFactory)
    {
        var meter = _meter = meterFactory.Create(MeterName);
        _newVisitors = meter.CreateCounter<long>("firstparty.visitors.new", "{visitor}", "Visitor ids minted.");
        _newSessions = meter.CreateCounter<long>("firstparty.sessions.new", "{session}", "Sessions started.");
        _suppressed = meter.CreateCounter<long>("firstparty.cookies.suppressed", "{cookie}", "Cookies the app wrote that consent did not allow.");
        _decisions = meter.CreateCounter<long>("firstparty.consent.decisions", "{decision}", "Consent decisions, by source, regime and opt-out signal.");
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
        _ledgerPurged = meter.CreateCounter<long>("firstparty.ledger.purged", "{receipt}", "Receipts deleted by the retention purge.");
    }

    /// <summary>Publishes the ledger writer's queue depth, spill backlog and oldest pending age (in seconds), read when observed.</summary>
    internal void ObserveLedger(Func<int> queueDepth, Func<long> spilled, Func<double> oldestPendingSeconds)
    {
        _meter.CreateObservableGauge("firstparty.ledger.queue.depth", queueDepth, "{operation}", "Ledger operations waiting in memory.");
        _meter.CreateObservableGauge("firstparty.ledger.spill.depth", spilled, "{operation}", "Ledger operations waiting in the spill file.");
        _meter.CreateObservableGauge("firstparty.ledger.pending.age", oldestPendingSeconds, "s", "How long the oldest ledger operation not yet in the store has waited.");
    }

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

    public void ConsentDecided(string source, string regime, bool gpc)
        => _decisions.Add(
            1,
            new KeyValuePair<string, object?>("source", source),
            new KeyValuePair<string, object?>("regime", regime),
            new KeyValuePair<string, object?>("gpc", gpc));

    public void ConsentCookiesCombined() => _consentCombined.Add(1);

    public void CookieSuppressed(string category) => _suppressed.Add(1, new KeyValuePair<string, object?>("category", category));
}
