using FirstParty.AspNetCore.Consent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary><c>GET /_fp/link</c>: the hop to a sister site that carries the visitor id across.</summary>
internal static class LinkEndpoint
{
    /// <summary>
    /// <c>GET /_fp/link?to=</c>: on to a sister site, with a fresh signed link parameter carrying the
    /// visitor id when this browser has a visitor and consent allows it; a target that is not a
    /// configured sister is refused, so this is never an open redirect.
    /// </summary>
    public static IResult Link(HttpContext context, Linking.CrossDomainTokens tokens, Microsoft.Extensions.Options.IOptions<FirstPartyOptions> options, ILogger<ConsentManager> logger)
    {
        if (!tokens.TryGetSisterUrl(context.Request.Query["to"], out var target))
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, "'to' must be an absolute URL on a site listed in FirstParty:Linking:Domains.");
        }

        context.Response.Headers.CacheControl = "no-store";
        var consent = context.GetConsent();
        if (context.GetVisitor() is not { } visitor || consent is null || !consent.IsGranted(options.Value.Visitor.Category))
        {
            return Results.Redirect(target.AbsoluteUri);
        }

        var token = tokens.Create(visitor.VisitorId, context.Request.Host.Host, target.Host);
        var separator = string.IsNullOrEmpty(target.Query) ? '?' : '&';
        var decorated = target.GetLeftPart(UriPartial.Query) + separator + tokens.ParameterName + "=" + token + target.Fragment;
        return Results.Redirect(decorated);
    }
}
