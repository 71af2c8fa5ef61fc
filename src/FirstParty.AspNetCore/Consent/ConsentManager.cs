using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Internal;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Resolves each request's consent state from the consent cookie, the region's regime and opt-out
/// signals, and turns a decision into a consent record and its cookie. What a decision means for
/// the visitor, the SDKs and the ledger is <see cref="IConsentDecider"/>'s work.
/// </summary>
internal sealed class ConsentManager
{
    private const string SecGpc = "Sec-GPC";
    private const string Dnt = "DNT";

    private readonly ConsentPolicy _policy;
    private readonly ConsentOptions _options;
    private readonly IRegionResolver _regions;
    private readonly ProtectedCookieCodec<ConsentRecord> _codec;
    private readonly ResponseCookieWriter _writer;
    private readonly RequestCookieReader _reader;
    private readonly CookieGate _gate;
    private readonly TimeProvider _time;
    private readonly FirstPartyMetrics _metrics;
    private readonly ILogger _logger;

    public ConsentManager(
        ConsentPolicy policy,
        IRegionResolver regions,
        IDataProtectionProvider dataProtection,
        CookieKeyRing keyRing,
        ResponseCookieWriter writer,
        RequestCookieReader reader,
        CookieGate gate,
        TimeProvider time,
        FirstPartyMetrics metrics,
        ILogger<ConsentManager> logger)
    {
        _policy = policy;
        _options = policy.Options;
        _regions = regions;
        _codec = new ProtectedCookieCodec<ConsentRecord>(
            new CookieProtector(dataProtection.CreateProtector(CookieProtector.RootPurpose), keyRing, "Consent"),
            writeCompact: policy.CookieFormat >= 3);
        _writer = writer;
        _reader = reader;
        _gate = gate;
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
        return new ConsentFeature(_policy, current, current is null ? record : null, regime, region, signal, context);
    }

    /// <summary>
    /// Makes a decision the request's consent state: <paramref name="requested"/> are the optional
    /// categories and services granted (required ones always are). Writes the consent cookie, updates
    /// <paramref name="feature"/> in place and puts the response's cookies under the gate.
    /// </summary>
    /// <remarks>The layer says where the decision was taken (<see cref="ConsentLayers"/>), for the decisions metric.</remarks>
    /// <returns>The new record and the time it was made at.</returns>
    public (ConsentRecord Record, DateTimeOffset Now) Record(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string layer = ConsentLayers.None)
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
        _metrics.ConsentDecided(source, feature.Regime.ToString(), feature.GlobalPrivacyControl, feature.Region, _options.Revision, layer);
        _logger.ConsentDecided(record.Id, source, string.Join(',', record.Granted));
        return (record, now);
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
    /// What an opt-out signal grants: undecided, everything but the sale/sharing categories; after an
    /// earlier decision, that decision without its sale/sharing categories and their services.
    /// </summary>
    public IReadOnlyCollection<string> OptOutSignalGrants(ConsentFeature consent)
        => consent.Current is { } current
            ? [.. current.Granted.Where(key => !IsSaleOrSharing(key))]
            : [.. _policy.Categories.Where(c => !c.SaleOrSharing).Select(c => c.Key)];

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
        return new ConsentFeature(_policy, null, null, consent.Regime, consent.Region, consent.GlobalPrivacyControl, context);
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
