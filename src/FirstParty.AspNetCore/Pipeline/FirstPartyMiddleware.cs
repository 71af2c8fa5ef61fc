using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Linking;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Pipeline;

/// <summary>
/// <c>UseFirstParty()</c>: resolves the consent state and the visitor of each request before the app
/// runs and exposes them as <see cref="IConsentFeature"/> and <see cref="IVisitorFeature"/>. What the
/// response owes the browser is written later, in order, by <see cref="ResponseSteps"/>.
/// </summary>
internal sealed class FirstPartyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly VisitorTracker _tracker;
    private readonly ConsentManager _consent;
    private readonly ConsentDecisions _decisions;
    private readonly CookieGate _gate;
    private readonly ResponseSteps _steps;
    private readonly CrawlerDetector _crawlers;
    private readonly FirstPartyOptions _options;
    private readonly ILogger _logger;
    private readonly CrossDomainLinkHandler _links;

    public FirstPartyMiddleware(
        RequestDelegate next,
        VisitorTracker tracker,
        ConsentManager consent,
        ConsentDecisions decisions,
        CookieGate gate,
        ResponseSteps steps,
        CrawlerDetector crawlers,
        IOptions<FirstPartyOptions> options,
        ILogger<FirstPartyMiddleware> logger,
        CrossDomainLinkHandler links)
    {
        _links = links;
        _next = next;
        _tracker = tracker;
        _consent = consent;
        _decisions = decisions;
        _gate = gate;
        _steps = steps;
        _crawlers = crawlers;
        _options = options.Value;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var consent = _consent.Resolve(context);
        context.Features.Set<IConsentFeature>(consent);
        context.Features.Set<ITrackingConsentFeature>(consent);
        _steps.RegisterUnlessStarted(context);
        _gate.EnsureGated(context, consent);

        var canWrite = CanWriteCookies(context);
        if (canWrite && _consent.ShouldRecordOptOutSignal(consent))
        {
            return RecordOptOutSignalAndContinue(context, consent);
        }

        if (canWrite && _links.Applies(context))
        {
            // A sister site's link: adopt its visitor id (or not) and go on to the clean URL.
            return _links.HandleAsync(context, consent);
        }

        return ContinueWithVisitor(context, consent, canWrite);
    }

    private async Task RecordOptOutSignalAndContinue(HttpContext context, ConsentFeature consent)
    {
        // Honouring Global Privacy Control must be provable: record it as a decision (cookie and
        // receipt) the first time a browser sends it, so later requests show it was applied. If it
        // cannot be kept (no readable key, or the ledger in strict mode), the page still answers,
        // honouring the signal, and the next request tries again.
        await _decisions.RecordOptOutSignalAsync(context, consent).ConfigureAwait(false);
        await ContinueWithVisitor(context, consent, canWrite: true).ConfigureAwait(false);
    }

    private Task ContinueWithVisitor(HttpContext context, ConsentFeature consent, bool canWrite)
    {
        if (!consent.AllowsVisitorCookies(_options.Visitor.Category))
        {
            // Visitor cookies the browser still holds are deleted by the response step, unless a
            // decision later in this request grants them after all.
            return _next(context);
        }

        if (context.Features.Get<IVisitorFeature>() is not null)
        {
            // A decision recorded above already attached the visitor.
            return _next(context);
        }

        var feature = _tracker.Attach(context, canWrite);
        if (feature is null)
        {
            return _next(context);
        }

        var events = _options.Events;
        if ((feature.IsNewVisitor && events.OnNewVisitor is not null) || (feature.IsNewSession && events.OnNewSession is not null))
        {
            return RaiseEventsAndContinue(context, feature, events);
        }

        return _next(context);
    }

    private async Task RaiseEventsAndContinue(HttpContext context, VisitorFeature feature, FirstPartyEvents events)
    {
        var eventContext = new VisitorEventContext(context, feature);
        if (feature.IsNewVisitor && events.OnNewVisitor is { } onNewVisitor)
        {
            await onNewVisitor(eventContext).ConfigureAwait(false);
        }

        if (feature.IsNewSession && events.OnNewSession is { } onNewSession)
        {
            await onNewSession(eventContext).ConfigureAwait(false);
        }

        await _next(context).ConfigureAwait(false);
    }

    private bool CanWriteCookies(HttpContext context)
    {
        if (!NavigationDetector.IsTopLevelNavigation(context.Request))
        {
            return false;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<IDisableVisitorCookiesMetadata>() is not null)
        {
            _logger.EndpointDisabled(endpoint.DisplayName);
            return false;
        }

        if (_options.Visitor.IgnoreCrawlers)
        {
            var userAgent = context.Request.Headers.UserAgent;
            if (_crawlers.IsCrawler(userAgent))
            {
                _logger.CrawlerSkipped(userAgent.ToString());
                return false;
            }
        }

        return true;
    }
}
