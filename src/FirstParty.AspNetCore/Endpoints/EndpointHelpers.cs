using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>
/// What the FirstParty endpoints share: the antiforgery check, the answer to a change (JSON state or
/// a 303 back to a local page), and the problem details they reject with.
/// </summary>
internal static class EndpointHelpers
{
    /// <summary>
    /// The answer for a method a FirstParty path does not take: 405 with problem details and the
    /// <c>Allow</c> header, rather than routing's empty 405.
    /// </summary>
    public static Func<HttpContext, ILogger<ConsentManager>, IResult> MethodNotAllowed(string allow)
        => (context, logger) =>
        {
            context.Response.Headers.Allow = allow;
            return Reject(logger, StatusCodes.Status405MethodNotAllowed, $"{Truncate(context.Request.Method)} is not supported here; use {allow}.");
        };

    public static IResult LedgerUnavailable()
        => Results.Problem(
            detail: "Your choice could not be recorded, so nothing was changed; please try again in a moment.",
            statusCode: StatusCodes.Status503ServiceUnavailable);

    public static async Task<bool> IsValidAntiforgeryAsync(HttpContext context, IAntiforgery antiforgery)
    {
        try
        {
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            return false;
        }
    }

    public static IResult Answer(HttpContext context, IConsentFeature consent, string? returnUrl)
    {
        if (AcceptsJson(context.Request))
        {
            return State(context, consent);
        }

        context.Response.Headers.Location = ReturnUrls.Choose(returnUrl, context.Request);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    public static IResult State(HttpContext context, IConsentFeature consent, AntiforgeryResponse? antiforgery = null)
    {
        context.Response.Headers.CacheControl = "no-store";
        var policy = context.RequestServices.GetRequiredService<ConsentPolicy>();
        return Results.Json(ConsentStateResponse.From(consent, context.GetVisitor(), policy, antiforgery), EndpointJsonContext.Default.ConsentStateResponse);
    }

    public static bool AcceptsJson(HttpRequest request)
    {
        foreach (var accept in request.Headers.Accept)
        {
            if (accept is not null && accept.Contains("application/json", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    public static IResult Reject(ILogger logger, int status, string detail)
    {
        logger.ConsentRequestRejected(detail);
        return Results.Problem(detail: detail, statusCode: status);
    }

    public static IResult MissingMiddleware()
        => Results.Problem(
            detail: "The FirstParty middleware did not run for this request: call app.UseFirstParty() before app.MapFirstParty().",
            statusCode: StatusCodes.Status500InternalServerError);

    public static string Truncate(string? value) => value is null ? string.Empty : value.Length <= 64 ? value : value[..64];
}
