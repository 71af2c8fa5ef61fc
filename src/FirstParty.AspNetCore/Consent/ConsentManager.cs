using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Resolves each request's consent state from the consent cookie, the region's regime and opt-out
/// signals, and records new decisions: cookie, visitor cookies, ledger receipt.
/// </summary>
internal sealed class ConsentManager
{
    private const string SecGpc = "Sec-GPC";
    private const string Dnt = "DNT";

    private readonly ConsentPolicy _policy;
    private readonly ConsentOptions _options;
    private readonly FirstPartyEvents _events;
    private readonly string _visitorCategory;
    private readonly IRegionResolver _regions;
    private readonly ProtectedCookieCodec<ConsentRecord> _codec;
    private readonly ResponseCookieWriter _writer;
    private readonly RequestCookieReader _reader;
    private readonly CookieGate _gate;
    private readonly VisitorTracker _visitors;
    private readonly ConsentLedgerWriter _ledger;
    private readonly ConsentReceiptFactory _receipts;
    private readonly Providers.ProviderMirrors _providers;
    private readonly TimeProvider _time;
    private readonly FirstPartyMetrics _metrics;
    private readonly ILogger _logger;

    public ConsentManager(
        ConsentPolicy policy,
        Microsoft.Extensions.Options.IOptions<FirstPartyOptions> options,
        IRegionResolver regions,
        IDataProtectionProvider dataProtection,
        CookieKeyRing keyRing,
        ResponseCookieWriter writer,
        RequestCookieReader reader,
        CookieGate gate,
        VisitorTracker visitors,
        ConsentLedgerWriter ledger,
        ConsentReceiptFactory receipts,
        TimeProvider time,
        FirstPartyMetrics metrics,
        ILogger<ConsentManager> logger,
        Providers.ProviderMirrors providers)
    {
        _providers = providers;
        _policy = policy;
        _options = policy.Options;
        _events = options.Value.Events;
        _visitorCategory = options.Value.Visitor.Category;
        _regions = regions;
        _codec = new ProtectedCookieCodec<ConsentRecord>(new CookieProtector(dataProtection.CreateProtector(VisitorTracker.ProtectorPurpose), keyRing, "Consent"));
        _writer = writer;
        _reader = reader;
        _gate = gate;
        _visitors = visitors;
        _ledger = ledger;
        _receipts = receipts;
        _time = time;
        _metrics = metrics;
        _logger = logger;
    }

    public ConsentPolicy Policy => _policy;

    internal ProtectedCookieCodec<ConsentRecord> Codec => _codec;

    public ConsentFeature Resolve(HttpContext context)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var region = ResolveRegion(context);
        var regime = RegionRules.Choose(region, _options.Regions, _options.Regime);
        var signal = (_options.HonorGlobalPrivacyControl && IsOne(context.Request.Headers[SecGpc]))
            || (_options.HonorDoNotTrack && IsOne(context.Request.Headers[Dnt]));

        var record = _reader.ReadAllValid(context.Request.Headers.Cookie, _options.CookieName, _codec, (_policy, _options.Revision, now), MostRestrictiveConsent.Fold, out var valid);
        if (valid > 1)
        {
            _metrics.ConsentCookiesCombined();
            _logger.ConsentCookiesCombined(valid, _options.CookieName, record!.Id);
        }

        var current = record is not null && record.Revision == _options.Revision && record.ExpiresAt > now ? record : null;
        return new ConsentFeature(_policy, current, current is null ? record : null, regime, region, signal) { Manager = this, Context = context };
    }

    /// <summary>
    /// Records a decision: <paramref name="requested"/> are the optional categories the person
    /// granted (required ones are always granted). Writes the consent cookie, mints or deletes the
    /// visitor cookies to match, raises <see cref="FirstPartyEvents.OnConsentChanged"/> and hands a
    /// receipt to the ledger (queued, or durable before this returns in strict mode).
    /// </summary>
    /// <param name="context">The request the decision is made in.</param>
    /// <param name="feature">The request's consent state, updated in place.</param>
    /// <param name="source">How the decision was collected (<see cref="ConsentSources"/>).</param>
    /// <param name="requested">The categories and services granted.</param>
    /// <param name="pagePath">The local page the decision was made on, kept on the receipt without its query.</param>
    /// <exception cref="IOException">Strict mode only: neither the store nor the spill file took the receipt.</exception>
    public async Task<ConsentRecord> DecideAsync(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath = null)
    {
        var previous = feature.Categories;
        var (record, receipt) = Decide(context, feature, source, requested, pagePath);
        await _ledger.RecordAsync(receipt).ConfigureAwait(false);
        if (_events.OnConsentChanged is { } onChanged)
        {
            await onChanged(new ConsentChangedContext(context, previous, feature, source)).ConfigureAwait(false);
        }

        return record;
    }

    /// <summary>
    /// The same decision for synchronous callers (<c>ITrackingConsentFeature</c>): the receipt is
    /// handed over without waiting, and a failure to keep it is logged.
    /// </summary>
    public void DecideWithoutWaiting(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested)
    {
        var (_, receipt) = Decide(context, feature, source, requested, context.Request.Path.Value);
        _ = RecordWithoutWaitingAsync(receipt);
    }

    /// <summary>Erases this browser's receipts (by consent id and visitor id) as <c>POST /_fp/forget</c> promises.</summary>
    public async Task EraseReceiptsAsync(string? consentId, string? visitorId, ReceiptErasure erasure)
    {
        if (consentId is not null)
        {
            await _ledger.EraseAsync(ReceiptSubject.Consent(consentId), erasure).ConfigureAwait(false);
        }

        if (visitorId is not null)
        {
            await _ledger.EraseAsync(ReceiptSubject.Visitor(visitorId), erasure).ConfigureAwait(false);
        }
    }

    private (ConsentRecord Record, ConsentReceipt Receipt) Decide(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath)
    {
        var now = _time.GetUtcNow();
        var (record, lifetimeSeconds) = CreateRecord(feature.ConsentId, source, feature.Regime, feature.Region, requested, now, feature.GlobalPrivacyControl);

        Span<char> value = stackalloc char[CookieProtector.MaxValueLength];
        var length = _codec.Protect(record, value);
        if (MostRestrictiveConsent.SentSeveral(context.Request.Headers.Cookie, _options.CookieName))
        {
            // Copies this response can reach (host-only, cookie domain) go, or they would narrow this decision.
            _writer.Delete(context, _options.CookieName);
        }

        _writer.Append(context, _options.CookieName, value[..length], lifetimeSeconds, now);
        feature.Apply(record);
        _gate.EnsureGated(context, feature);

        var visitorGranted = feature.AllowsVisitorCookies(_visitorCategory);
        var visitor = _visitors.Synchronize(context, visitorGranted);
        feature.VisitorCookiesDeleted |= !visitorGranted;
        if (visitorGranted)
        {
            // The answer carries the SDKs' id cookies, so a script revived on this page adopts them.
            _providers.Schedule(context, feature, missingOnly: true);
        }

        _metrics.ConsentDecided(source, feature.Regime, feature.GlobalPrivacyControl);
        _logger.ConsentDecided(record.Id, source, string.Join(',', record.Granted));

        var receipt = _receipts.Create(context, record, visitor?.VisitorId, feature.GlobalPrivacyControl, now, pagePath);
        return (record, receipt);
    }

    /// <summary>
    /// The record a decision produces: required categories and the requested known categories and
    /// services are granted; the lifetime is <see cref="ConsentOptions.AcceptLifetime"/> when anything
    /// optional is granted, else <see cref="ConsentOptions.RefusalLifetime"/>.
    /// </summary>
    internal (ConsentRecord Record, long LifetimeSeconds) CreateRecord(
        string? consentId, string source, ConsentRegime regime, string? region, IReadOnlyCollection<string> requested, DateTimeOffset now, bool optOutSignal = false)
    {
        var granted = _policy.Categories.Where(c => c.Required || requested.Contains(c.Key)).Select(c => c.Key)
            .Concat(requested.Where(k => k.Contains('/', StringComparison.Ordinal) && _policy.IsKnown(k)).Distinct(StringComparer.Ordinal))
            .ToList();
        var grantsOptional = granted.Any(k => k.Contains('/', StringComparison.Ordinal) || !_policy.IsRequired(k));
        var lifetimeSeconds = (long)(grantsOptional ? _options.AcceptLifetime : _options.RefusalLifetime).TotalSeconds;
        var seconds = now.ToUnixTimeSeconds();
        var record = new ConsentRecord(consentId ?? RandomIds.NewUuid(), _options.Revision, seconds, seconds + lifetimeSeconds, source, regime, region, granted, optOutSignal);
        return (record, lifetimeSeconds);
    }

    /// <summary>A value for <c>ITrackingConsentFeature.CreateConsentCookie</c>: an accept-all decision a script may store.</summary>
    public string CreateAcceptAllCookie(ConsentFeature feature)
    {
        var (record, lifetimeSeconds) = CreateRecord(
            feature.ConsentId, ConsentSources.Api, feature.Regime, feature.Region, [.. _policy.Categories.Select(c => c.Key)], _time.GetUtcNow());
        return $"{_options.CookieName}={_codec.Protect(record)}; max-age={lifetimeSeconds}; path=/; samesite=lax";
    }

    private async Task RecordWithoutWaitingAsync(ConsentReceipt receipt)
    {
        try
        {
            await _ledger.RecordAsync(receipt).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _logger.ReceiptNotRecorded(receipt.ConsentId, ex);
        }
    }

    /// <summary>
    /// True when an opt-out signal refuses something that no decision records yet: undecided where
    /// the regime grants by default (OptOut, Implied) and a sale/sharing category exists; or, in
    /// any regime, a current decision made without the signal that grants sale or sharing (CCPA/CPRA
    /// treat the signal as an opt-out an earlier banner click does not override). A decision made
    /// while the browser sent the signal is an explicit opt-in and stays as made.
    /// </summary>
    public bool ShouldRecordOptOutSignal(ConsentFeature consent)
        => consent.GlobalPrivacyControl
            && _policy.HasSaleOrSharing
            && (consent.Current is { } current
                ? !current.MadeUnderOptOutSignal && _policy.GrantsSaleOrSharing(current)
                : consent.Regime != ConsentRegime.OptIn);

    /// <summary>
    /// Records what an opt-out signal applies: undecided, everything but the sale/sharing categories;
    /// after an earlier decision, that decision without its sale/sharing categories and their services.
    /// </summary>
    public Task RecordOptOutSignalAsync(HttpContext context, ConsentFeature consent)
    {
        IReadOnlyCollection<string> requested = consent.Current is { } current
            ? [.. current.Granted.Where(key => !IsSaleOrSharing(key))]
            : [.. _policy.Categories.Where(c => !c.SaleOrSharing).Select(c => c.Key)];
        return DecideAsync(context, consent, ConsentSources.Gpc, requested);
    }

    private bool IsSaleOrSharing(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var category = slash < 0 ? key : key[..slash];
        return _policy.Categories.Any(c => c.SaleOrSharing && !c.Required && c.Key == category);
    }

    /// <summary>Deletes the consent cookie and returns the undecided state that follows.</summary>
    public ConsentFeature Forget(HttpContext context, ConsentFeature consent)
    {
        _writer.Delete(context, _options.CookieName);
        return new ConsentFeature(_policy, null, null, consent.Regime, consent.Region, consent.GlobalPrivacyControl) { Manager = this, Context = context };
    }

    private string? ResolveRegion(HttpContext context)
    {
        try
        {
            return _regions.ResolveRegion(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A faulty custom resolver must not break the request: no region means the default regime.
            _logger.RegionResolverFailed(ex);
            return null;
        }
    }

    private static bool IsOne(Microsoft.Extensions.Primitives.StringValues values)
        => values.Count == 1 && values[0] is { } v && v.AsSpan().Trim().SequenceEqual("1");
}
