using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore;

/// <summary>
/// Resolves the visitor of each request, exposes it as <see cref="IVisitorFeature"/>, and writes the
/// visitor and session cookies just before the response starts.
/// </summary>
internal sealed class FirstPartyMiddleware
{
    private static readonly Func<object, Task> WriteCookiesCallback = static state =>
    {
        var (tracker, feature) = ((VisitorTracker, VisitorFeature))state;
        tracker.WriteCookies(feature);
        return Task.CompletedTask;
    };

    private readonly RequestDelegate _next;
    private readonly VisitorTracker _tracker;
    private readonly ICategoryGate _gate;
    private readonly CrawlerDetector _crawlers;
    private readonly FirstPartyOptions _options;
    private readonly ILogger _logger;

    public FirstPartyMiddleware(
        RequestDelegate next,
        VisitorTracker tracker,
        ICategoryGate gate,
        CrawlerDetector crawlers,
        IOptions<FirstPartyOptions> options,
        ILogger<FirstPartyMiddleware> logger)
    {
        _next = next;
        _tracker = tracker;
        _gate = gate;
        _crawlers = crawlers;
        _options = options.Value;
        _logger = logger;
    }

    public Task InvokeAsync(HttpContext context)
    {
        var category = _options.Visitor.Category;
        if (!_gate.IsGranted(context, category))
        {
            return _next(context);
        }

        var feature = _tracker.Resolve(context, CanWriteCookies(context));
        if (feature is null)
        {
            return _next(context);
        }

        context.Features.Set<IVisitorFeature>(feature);
        if (feature.HasPendingWrites)
        {
            context.Response.OnStarting(WriteCookiesCallback, (_tracker, feature));
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
