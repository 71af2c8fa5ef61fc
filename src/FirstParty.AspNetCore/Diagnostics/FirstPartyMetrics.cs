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

    public FirstPartyMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _newVisitors = meter.CreateCounter<long>("firstparty.visitors.new", "{visitor}", "Visitor ids minted.");
        _newSessions = meter.CreateCounter<long>("firstparty.sessions.new", "{session}", "Sessions started.");
        _suppressed = meter.CreateCounter<long>("firstparty.cookies.suppressed", "{cookie}", "Cookies the app wrote that consent did not allow.");
        _decisions = meter.CreateCounter<long>("firstparty.consent.decisions", "{decision}", "Consent decisions, by source, regime and opt-out signal.");
        _rejectedCookies = meter.CreateCounter<long>("firstparty.cookies.rejected", "{cookie}", "Request cookies ignored because they were malformed, forged, oversized or of an unknown version.");
    }

    public void NewVisitor() => _newVisitors.Add(1);

    public void NewSession() => _newSessions.Add(1);

    public void CookieRejected(string cookie, string reason)
        => _rejectedCookies.Add(1, new KeyValuePair<string, object?>("cookie", cookie), new KeyValuePair<string, object?>("reason", reason));

    public void ConsentDecided(string source, ConsentRegime regime, bool gpc)
        => _decisions.Add(
            1,
            new KeyValuePair<string, object?>("source", source),
            new KeyValuePair<string, object?>("regime", regime.ToString()),
            new KeyValuePair<string, object?>("gpc", gpc));

    public void CookieSuppressed(string category) => _suppressed.Add(1, new KeyValuePair<string, object?>("category", category));
}
