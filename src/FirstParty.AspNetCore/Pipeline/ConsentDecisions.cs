using System.Diagnostics;
using System.Security.Cryptography;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HeaderNames = Microsoft.Net.Http.Headers.HeaderNames;

namespace FirstParty.AspNetCore.Pipeline;

/// <summary>
/// A decision and everything that follows from it, in this order: the consent record and cookie
/// (<see cref="ConsentManager"/>), the visitor cookies minted or deleted to match
/// (<see cref="VisitorTracker"/>), the SDK id cookies scheduled when granted
/// (<see cref="ProviderMirrors"/>), the receipt handed to the ledger, then
/// <see cref="FirstPartyEvents.OnConsentChanged"/>. Also the two operations that undo state: the
/// rollback of a decision the ledger could not keep, and forgetting a browser.
/// </summary>
internal sealed class ConsentDecisions : IConsentDecider
{
    private readonly ConsentManager _consent;
    private readonly VisitorTracker _visitors;
    private readonly ProviderMirrors _providers;
    private readonly ConsentLedgerWriter _ledger;
    private readonly ConsentReceiptFactory _receipts;
    private readonly FirstPartyEvents _events;
    private readonly string _visitorCategory;
    private readonly string _consentCookieName;
    private readonly ILogger _logger;

    public ConsentDecisions(
        ConsentManager consent,
        VisitorTracker visitors,
        ProviderMirrors providers,
        ConsentLedgerWriter ledger,
        ConsentReceiptFactory receipts,
        IOptions<FirstPartyOptions> options,
        ILogger<ConsentManager> logger)
    {
        _consent = consent;
        _visitors = visitors;
        _providers = providers;
        _ledger = ledger;
        _receipts = receipts;
        _events = options.Value.Events;
        _visitorCategory = options.Value.Visitor.Category;
        _consentCookieName = options.Value.Consent.CookieName;
        _logger = logger;
    }

    /// <inheritdoc/>
    public Task DecideAsync(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath = null)
        => DecideCoreAsync(context, feature, source, requested, pagePath, ConsentLayers.None);

    private async Task DecideCoreAsync(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath, string layer)
    {
        using var activity = StartActivity(feature, source);
        try
        {
            var previous = feature.Categories;
            var receipt = Decide(context, feature, source, requested, pagePath, layer);
            await _ledger.RecordAsync(receipt).ConfigureAwait(false);
            if (_events.OnConsentChanged is { } onChanged)
            {
                await onChanged(new ConsentChangedContext(context, previous, feature, source)).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            FirstPartyActivities.Failed(activity, ex);
            throw;
        }
    }

    /// <inheritdoc/>
    public void DecideWithoutWaiting(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested)
    {
        using var activity = StartActivity(feature, source);
        var receipt = Decide(context, feature, source, requested, context.Request.Path.Value, ConsentLayers.None);
        _ = RecordWithoutWaitingAsync(receipt);
    }

    /// <summary>
    /// Makes a decision for an endpoint. It fails when the consent cookie cannot be protected (no Data
    /// Protection key can be read) or, in strict ledger mode, when neither the store nor the spill
    /// file took the receipt: then the decision is rolled back, so nothing this request
    /// would have changed reaches the browser and the rest of the request sees the state as it was.
    /// </summary>
    /// <remarks>The layer says where the decision was taken (<see cref="ConsentLayers"/>), for the decisions metric.</remarks>
    /// <returns>False when the decision was rolled back.</returns>
    public async Task<bool> TryDecideAsync(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath, string layer = ConsentLayers.None)
    {
        var before = feature.Current;
        try
        {
            await DecideCoreAsync(context, feature, source, requested, pagePath, layer).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException)
        {
            if (ex is CryptographicException)
            {
                _logger.KeyRingUnavailable(_consentCookieName, ex);
            }
            else
            {
                _logger.ConsentRequestRejected("the consent ledger could not keep the receipt");
            }

            context.Response.Headers.Remove(HeaderNames.SetCookie);
            context.Features.Set<IVisitorFeature>(null);
            feature.Restore(before);
            return false;
        }
    }

    /// <summary>
    /// Records what an opt-out signal applies (<see cref="ConsentManager.OptOutSignalGrants"/>) as a
    /// <c>gpc</c> decision. When it cannot be kept, the page still answers: the signal is honoured
    /// for this request anyway, and the next one tries again.
    /// </summary>
    public Task<bool> RecordOptOutSignalAsync(HttpContext context, ConsentFeature consent)
        => TryDecideAsync(context, consent, ConsentSources.Gpc, _consent.OptOutSignalGrants(consent), pagePath: null);

    /// <summary>
    /// Makes the browser a stranger, as <c>POST /_fp/forget</c> promises: first its receipts are
    /// erased (by consent id and by visitor id); only then the consent and visitor cookies go and the
    /// request continues undecided, without a visitor.
    /// </summary>
    /// <returns>The undecided state now in the request's features.</returns>
    /// <exception cref="IOException">The ledger could not erase: nothing was deleted, so the browser keeps the ids to ask again.</exception>
    public async Task<ConsentFeature> ForgetAsync(HttpContext context, ConsentFeature consent, ReceiptErasure erasure)
    {
        if (consent.ConsentId is { } consentId)
        {
            await _ledger.EraseAsync(ReceiptSubject.Consent(consentId), erasure).ConfigureAwait(false);
        }

        if (context.Features.Get<IVisitorFeature>()?.VisitorId is { } visitorId)
        {
            await _ledger.EraseAsync(ReceiptSubject.Visitor(visitorId), erasure).ConfigureAwait(false);
        }

        var fresh = _consent.Forget(context, consent);
        context.Features.Set<IVisitorFeature>(null);
        _visitors.DeleteCookies(context);
        context.Features.Set<IConsentFeature>(fresh);
        context.Features.Set<Microsoft.AspNetCore.Http.Features.ITrackingConsentFeature>(fresh);
        return fresh;
    }

    private static Activity? StartActivity(ConsentFeature feature, string source)
    {
        var activity = FirstPartyActivities.Source.StartActivity(FirstPartyActivities.Decision);
        if (activity is not null)
        {
            activity.SetTag("firstparty.consent.source", source);
            activity.SetTag("firstparty.consent.regime", feature.Regime.ToString());
            activity.SetTag("firstparty.consent.gpc", feature.GlobalPrivacyControl);
        }

        return activity;
    }

    private ConsentReceipt Decide(HttpContext context, ConsentFeature feature, string source, IReadOnlyCollection<string> requested, string? pagePath, string layer)
    {
        var (record, now) = _consent.Record(context, feature, source, requested, layer);
        var visitorGranted = feature.AllowsVisitorCookies(_visitorCategory);
        var visitor = _visitors.Synchronize(context, visitorGranted);
        if (visitorGranted)
        {
            // The answer carries the SDKs' id cookies, so a script revived on this page adopts them.
            _providers.ScheduleMissing(context);
        }

        return _receipts.Create(context, record, visitor?.VisitorId, feature.GlobalPrivacyControl, now, pagePath);
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
}
