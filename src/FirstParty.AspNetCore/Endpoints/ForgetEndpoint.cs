using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Pipeline;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary><c>POST /_fp/forget</c>: erases this browser's consent history and makes it a stranger again.</summary>
internal static class ForgetEndpoint
{
    public static async Task<IResult> ForgetAsync(HttpContext context, IAntiforgery antiforgery, ConsentDecisions decisions, Microsoft.Extensions.Options.IOptions<FirstPartyOptions> options, ILogger<ConsentManager> logger)
    {
        var erasure = options.Value.Ledger.ForgetErasure;
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return EndpointHelpers.MissingMiddleware();
        }

        IFormCollection? form = null;
        if (context.Request.HasFormContentType || FormBody.DeclaresTooLarge(context.Request))
        {
            var read = await FormBody.ReadAsync(context).ConfigureAwait(false);
            if (read.Form is null)
            {
                return EndpointHelpers.Reject(logger, read.Status, read.Problem!);
            }

            form = read.Form;
        }

        if (!await EndpointHelpers.IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        // The history goes first: if it cannot be erased, the browser keeps the ids to ask again.
        ConsentFeature fresh;
        try
        {
            fresh = await decisions.ForgetAsync(context, consent, erasure).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return EndpointHelpers.LedgerUnavailable();
        }

        context.Response.Headers["Clear-Site-Data"] = "\"storage\"";
        var returnUrl = form is not null ? form["returnUrl"] : context.Request.Query["returnUrl"];
        return EndpointHelpers.Answer(context, fresh, returnUrl);
    }
}
