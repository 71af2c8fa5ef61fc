using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>
/// The consent endpoints. State-changing requests need an antiforgery token (form field or header);
/// answers are the JSON state when the client accepts JSON, otherwise a 303 back to a local page.
/// </summary>
internal static class ConsentEndpoints
{
    /// <summary>A consent form is a handful of short fields; anything larger is not one.</summary>
    internal const int MaxBodyBytes = 8 * 1024;

    private static readonly FormOptions FormLimits = new()
    {
        // Buffering is what makes BufferBodyLengthLimit apply to bodies sent without Content-Length.
        BufferBody = true,
        ValueCountLimit = 64,
        KeyLengthLimit = 64,
        ValueLengthLimit = 2048,
        BufferBodyLengthLimit = MaxBodyBytes,
        MultipartBodyLengthLimit = MaxBodyBytes,
        MultipartHeadersLengthLimit = 4096,
    };

    public static IResult GetStateAsync(HttpContext context)
    {
        if (context.GetConsent() is not { } consent)
        {
            return MissingMiddleware();
        }

        return State(context, consent);
    }

    public static async Task<IResult> PostAsync(HttpContext context, IAntiforgery antiforgery, ConsentManager manager, ILogger<ConsentManager> logger)
    {
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return MissingMiddleware();
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Reject(logger, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        if (!context.Request.HasFormContentType)
        {
            return Reject(logger, StatusCodes.Status415UnsupportedMediaType, "Post the consent form as application/x-www-form-urlencoded or multipart/form-data.");
        }

        context.Features.Set<IFormFeature>(new FormFeature(context.Request, FormLimits));
        IFormCollection form;
        try
        {
            // Read the form first: a body over the limit is a 413, not an antiforgery failure.
            form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            await antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            return Reject(logger, StatusCodes.Status413PayloadTooLarge, "The form is too large.");
        }
        catch (BadHttpRequestException ex)
        {
            return Reject(logger, ex.StatusCode, "The form could not be read.");
        }

        var choice = form["choice"];
        if (choice.Count != 1)
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "Send exactly one 'choice': accept-all, reject-all, custom or withdraw.");
        }

        string source;
        IReadOnlyCollection<string> granted;
        switch (choice[0])
        {
            case ConsentSources.AcceptAll:
                source = ConsentSources.AcceptAll;
                granted = [.. manager.Policy.Categories.Select(c => c.Key)];
                break;
            case ConsentSources.RejectAll:
                source = ConsentSources.RejectAll;
                granted = [];
                break;
            case ConsentSources.Withdraw:
                source = ConsentSources.Withdraw;
                granted = [];
                break;
            case ConsentSources.Custom:
                source = ConsentSources.Custom;
                var requested = form["category"].Concat(form["service"]).Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).ToArray();
                if (requested.FirstOrDefault(c => !manager.Policy.IsKnown(c)) is { } unknown)
                {
                    return Reject(logger, StatusCodes.Status400BadRequest, $"Unknown category or service '{Truncate(unknown)}'.");
                }

                granted = requested;
                break;
            default:
                return Reject(logger, StatusCodes.Status400BadRequest, $"Unknown choice '{Truncate(choice[0])}': use accept-all, reject-all, custom or withdraw.");
        }

        await manager.DecideAsync(context, consent, source, granted).ConfigureAwait(false);
        return Answer(context, consent, form["returnUrl"]);
    }

    public static async Task<IResult> DeleteAsync(HttpContext context, IAntiforgery antiforgery, ConsentManager manager, ILogger<ConsentManager> logger)
    {
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return MissingMiddleware();
        }

        if (!await IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        await manager.DecideAsync(context, consent, ConsentSources.Withdraw, []).ConfigureAwait(false);
        return Answer(context, consent, context.Request.Query["returnUrl"]);
    }

    public static async Task<IResult> ForgetAsync(HttpContext context, IAntiforgery antiforgery, ConsentManager manager, VisitorTracker visitors, ILogger<ConsentManager> logger)
    {
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return MissingMiddleware();
        }

        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return Reject(logger, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        if (context.Request.HasFormContentType)
        {
            context.Features.Set<IFormFeature>(new FormFeature(context.Request, FormLimits));
        }

        if (!await IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        // The browser becomes a stranger: no consent record, no visitor, no stored data.
        var fresh = manager.Forget(context, consent);
        context.Features.Set<IVisitorFeature>(null);
        visitors.DeleteCookies(context);
        fresh.VisitorCookiesDeleted = true;
        context.Response.Headers["Clear-Site-Data"] = "\"storage\"";
        context.Features.Set<IConsentFeature>(fresh);
        context.Features.Set<ITrackingConsentFeature>(fresh);
        var returnUrl = context.Request.HasFormContentType
            ? (await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false))["returnUrl"]
            : context.Request.Query["returnUrl"];
        return Answer(context, fresh, returnUrl);
    }

    private static async Task<bool> IsValidAntiforgeryAsync(HttpContext context, IAntiforgery antiforgery)
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

    private static IResult Answer(HttpContext context, IConsentFeature consent, string? returnUrl)
    {
        if (AcceptsJson(context.Request))
        {
            return State(context, consent);
        }

        context.Response.Headers.Location = ReturnUrls.Choose(returnUrl, context.Request);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static IResult State(HttpContext context, IConsentFeature consent)
    {
        context.Response.Headers.CacheControl = "no-store";
        return Results.Json(ConsentStateResponse.From(consent, context.GetVisitor()), EndpointJsonContext.Default.ConsentStateResponse);
    }

    private static bool AcceptsJson(HttpRequest request)
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

    private static IResult Reject(ILogger logger, int status, string detail)
    {
        logger.ConsentRequestRejected(detail);
        return Results.Problem(detail: detail, statusCode: status);
    }

    private static IResult MissingMiddleware()
        => Results.Problem(
            detail: "The FirstParty middleware did not run for this request: call app.UseFirstParty() before app.MapFirstParty().",
            statusCode: StatusCodes.Status500InternalServerError);

    private static string Truncate(string? value) => value is null ? string.Empty : value.Length <= 64 ? value : value[..64];
}
