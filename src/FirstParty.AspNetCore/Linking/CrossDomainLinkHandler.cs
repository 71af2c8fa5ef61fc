using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Linking;

/// <summary>
/// The receiving side of a cross-domain link: on a page navigation carrying the link parameter, a
/// valid link gives a new visitor the sister site's id (only if this site's consent state allows
/// the visitor cookie), an invalid one is logged and counted, and either way the browser is sent
/// to the same URL without the parameter, so it never stays in the address bar, history or logs.
/// </summary>
internal sealed class CrossDomainLinkHandler(
    CrossDomainTokens tokens,
    VisitorTracker visitors,
    IOptions<FirstPartyOptions> options,
    FirstPartyMetrics metrics,
    ILogger<CrossDomainLinkHandler> logger)
{
    private readonly string _visitorCategory = options.Value.Visitor.Category;

    /// <summary>True when this navigation carries a link parameter to handle.</summary>
    public bool Applies(HttpContext context)
        => tokens.Enabled && HttpMethods.IsGet(context.Request.Method) && context.Request.Query.ContainsKey(tokens.ParameterName);

    public async Task HandleAsync(HttpContext context, ConsentFeature consent)
    {
        var (visitorId, reason) = await tokens.ValidateAsync(context.Request.Query[tokens.ParameterName], context.Request.Host.Host).ConfigureAwait(false);
        if (visitorId is null)
        {
            metrics.LinkRejected(reason!);
            logger.LinkRejected(reason!);
        }
        else if (!consent.AllowsVisitorCookies(_visitorCategory))
        {
            metrics.LinkRejected("no-consent");
            logger.LinkRejected("no-consent");
        }
        else if (visitors.Resolve(context, canWrite: false) is not null)
        {
            // This site already knows the browser: its own id stays.
            metrics.LinkRejected("has-visitor");
            logger.LinkRejected("has-visitor");
        }
        else
        {
            visitors.Attach(context, canWrite: true, visitorId);
            metrics.LinkAdopted();
            logger.LinkAdopted(visitorId);
        }

        context.Response.Headers.CacheControl = "no-store";
        context.Response.Redirect(ReturnUrls.CurrentWithout(context.Request, tokens.ParameterName));
    }
}
