using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore;

/// <summary>
/// Resolves the consent state and the visitor of each request before the app runs, exposes them as
/// <see cref="IConsentFeature"/> and <see cref="IVisitorFeature"/>, and writes or deletes the
/// visitor and session cookies just before the response starts.
/// </summary>
internal sealed class FirstPartyMiddleware
{
    private static readonly Func<object, Task> DeleteIfStillRefusedCallback = static state =>
    {
        var (middleware, context) = ((FirstPartyMiddleware, HttpContext))state;
        if (context.Features.Get<IConsentFeature>() is ConsentFeature consent
            && !consent.AllowsVisitorCookies(middleware._options.Visitor.Category)
            && context.Features.Get<IVisitorFeature>() is null
            && !consent.VisitorCookiesDeleted)
        {
            middleware._tracker.DeleteCookies(context);
        }

        return Task.CompletedTask;
    };

    private readonly RequestDelegate _next;
    private readonly VisitorTracker _tracker;
    private readonly ConsentManager _consent;
    private readonly Cookies.CookieGate _gate;
    private readonly CrawlerDetector _crawlers;
    private readonly FirstPartyOptions _options;
    private readonly ILogger _logger;
    private readonly Providers.ProviderMirrors _providers;
    private readonly Linking.CrossDomainLinkHandler _links;

    public FirstPartyMiddleware(
        RequestDelegate next,
        VisitorTracker tracker,
        ConsentManager consent,
        Cookies.CookieGate gate,
        CrawlerDetector crawlers,
        IOptions<FirstPartyOptions> options,
        ILogger<FirstPartyMiddleware> logger,
        Providers.ProviderMirrors providers,
        Linking.CrossDomainLinkHandler links)
    {
        _links = links;
        _providers = providers;
        _next = next;
        _tracker = tracker;
        _consent = consent;
        _gate = gate;
        _crawlers = crawlers;
        _options = options.Value;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var consent = _consent.Resolve(context);
        context.Features.Set<IConsentFeature>(consent);
        context.Features.Set<ITrackingConsentFeature>(consent);
        _gate.EnsureGated(context, consent);

        var canWrite = CanWriteCookies(context);
        if (canWrite && _consent.ShouldRecordOptOutSignal(consent))
        {
            return RecordOptOutSignalAndContinue(context, consent);
        }

        if (canWrite && _links.Applies(context))
        {
            // A sister site's link: adopt its visitor id (or not) and go on to the clean URL.
            _links.Handle(context, consent);
            return Task.CompletedTask;
        }

        return ContinueWithVisitor(context, consent, canWrite);
    }

    private async Task RecordOptOutSignalAndContinue(HttpContext context, ConsentFeature consent)
    {
        // Honouring Global Privacy Control must be provable: record it as a decision (cookie and
        // receipt) the first time a browser sends it, so later requests show it was applied.
        await _consent.RecordOptOutSignalAsync(context, consent).ConfigureAwait(false);
        await ContinueWithVisitor(context, consent, canWrite: true).ConfigureAwait(false);
    }

    private Task ContinueWithVisitor(HttpContext context, ConsentFeature consent, bool canWrite)
    {
        if (canWrite && _providers.Enabled)
        {
            // SDK id cookies follow the visitor on every page; whether they are allowed is decided
            // when the response starts, after anything this request decides.
            _providers.Schedule(context, consent, missingOnly: false);
        }

        if (!consent.AllowsVisitorCookies(_options.Visitor.Category))
        {
            if (_tracker.HasCookies(context))
            {
                // Set before consent was needed, refused elsewhere, or planted: remove them, unless a
                // decision later in this request grants them after all.
                context.Response.OnStarting(DeleteIfStillRefusedCallback, (this, context));
            }

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
