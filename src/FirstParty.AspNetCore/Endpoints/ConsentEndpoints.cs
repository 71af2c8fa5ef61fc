using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>
/// The consent endpoints. State-changing requests need an antiforgery token (form field or header);
/// answers are the JSON state when the client accepts JSON, otherwise a 303 back to a local page.
/// </summary>
internal static class ConsentEndpoints
{
    /// <summary>Shows one gated element on the next page view without recording anything.</summary>
    internal const string AllowOnceChoice = "once";

    public static IResult GetStateAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (context.GetConsent() is not { } consent)
        {
            return MissingMiddleware();
        }

        if (!context.Request.Query.ContainsKey("antiforgery"))
        {
            return State(context, consent);
        }

        // The script posts choices from markup rendered without a token (the reopen template, which
        // must stay cacheable): it asks for one here. Other sites cannot read this answer (no CORS).
        var tokens = antiforgery.GetAndStoreTokens(context);
        return State(context, consent, tokens.RequestToken is null || tokens.HeaderName is null ? null : new AntiforgeryResponse(tokens.HeaderName, tokens.RequestToken));
    }

    public static async Task<IResult> PostAsync(HttpContext context, IAntiforgery antiforgery, ConsentManager manager, AllowOnceTokens allowOnce, ILogger<ConsentManager> logger)
    {
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return MissingMiddleware();
        }

        if (FormBody.DeclaresTooLarge(context.Request))
        {
            return Reject(logger, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        if (!context.Request.HasFormContentType)
        {
            return Reject(logger, StatusCodes.Status415UnsupportedMediaType, "Post the consent form as application/x-www-form-urlencoded or multipart/form-data.");
        }

        // Read the form first: a body over the limit is a 413, not an antiforgery failure.
        var read = await FormBody.ReadAsync(context).ConfigureAwait(false);
        if (read.Form is not { } form)
        {
            return Reject(logger, read.Status, read.Problem!);
        }

        if (!await IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        var choice = form["choice"];
        if (choice.Count != 1)
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "Send exactly one 'choice': accept-all, reject-all, custom, withdraw or once.");
        }

        if (choice[0] == AllowOnceChoice)
        {
            return AllowOnce(context, consent, form, manager.Policy, allowOnce, logger);
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

                granted = WithoutEmptiedCategories(requested, form["services-of"]);
                break;
            default:
                return Reject(logger, StatusCodes.Status400BadRequest, $"Unknown choice '{Truncate(choice[0])}': use accept-all, reject-all, custom, withdraw or once.");
        }

        if (!await TryDecideAsync(context, manager, consent, source, granted, ReturnUrls.Choose(form["returnUrl"], context.Request), logger).ConfigureAwait(false))
        {
            return LedgerUnavailable();
        }

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

        if (!await TryDecideAsync(context, manager, consent, ConsentSources.Withdraw, [], ReturnUrls.Choose(context.Request.Query["returnUrl"], context.Request), logger).ConfigureAwait(false))
        {
            return LedgerUnavailable();
        }

        return Answer(context, consent, context.Request.Query["returnUrl"]);
    }

    public static async Task<IResult> ForgetAsync(HttpContext context, IAntiforgery antiforgery, ConsentManager manager, VisitorTracker visitors, Microsoft.Extensions.Options.IOptions<FirstPartyOptions> options, ILogger<ConsentManager> logger)
    {
        var erasure = options.Value.Ledger.ForgetErasure;
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return MissingMiddleware();
        }

        IFormCollection? form = null;
        if (context.Request.HasFormContentType || FormBody.DeclaresTooLarge(context.Request))
        {
            var read = await FormBody.ReadAsync(context).ConfigureAwait(false);
            if (read.Form is null)
            {
                return Reject(logger, read.Status, read.Problem!);
            }

            form = read.Form;
        }

        if (!await IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        // The history goes first: if it cannot be erased, the browser keeps the ids to ask again.
        try
        {
            await manager.EraseReceiptsAsync(consent.ConsentId, context.GetVisitor()?.VisitorId, erasure).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return LedgerUnavailable();
        }

        // The browser becomes a stranger: no consent record, no visitor, no stored data.
        var fresh = manager.Forget(context, consent);
        context.Features.Set<IVisitorFeature>(null);
        visitors.DeleteCookies(context);
        fresh.VisitorCookiesDeleted = true;
        context.Response.Headers["Clear-Site-Data"] = "\"storage\"";
        context.Features.Set<IConsentFeature>(fresh);
        context.Features.Set<ITrackingConsentFeature>(fresh);
        var returnUrl = form is not null ? form["returnUrl"] : context.Request.Query["returnUrl"];
        return Answer(context, fresh, returnUrl);
    }

    /// <summary>
    /// <c>GET /_fp/link?to=</c>: on to a sister site, with a fresh signed link parameter carrying the
    /// visitor id when this browser has a visitor and consent allows it; a target that is not a
    /// configured sister is refused, so this is never an open redirect.
    /// </summary>
    public static IResult Link(HttpContext context, Linking.CrossDomainTokens tokens, Microsoft.Extensions.Options.IOptions<FirstPartyOptions> options, ILogger<ConsentManager> logger)
    {
        if (!tokens.TryGetSisterUrl(context.Request.Query["to"], out var target))
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "'to' must be an absolute URL on a site listed in FirstParty:Linking:Domains.");
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

    /// <summary>
    /// This browser's own consent history (by its consent id, current or expired), as the ISO 27560
    /// shaped export. Only this browser's cookie selects the receipts, so no one can read another's.
    /// </summary>
    public static async Task<IResult> GetReceiptsAsync(HttpContext context, ConsentLedgerWriter ledger, ILogger<ConsentManager> logger)
    {
        if (context.GetConsent() is not { } consent)
        {
            return MissingMiddleware();
        }

        context.Response.Headers.CacheControl = "no-store";
        if (consent.ConsentId is not { } consentId)
        {
            return Results.Bytes(ConsentReceiptExport.ToUtf8Bytes(null, []), ConsentReceiptExport.ContentType);
        }

        IReadOnlyList<ConsentReceipt> receipts;
        try
        {
            receipts = await ledger.FindAsync(ReceiptSubject.Consent(consentId), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            logger.ReceiptsUnavailable(ex);
            return Results.Problem(detail: "The consent history is not available right now; try again later.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (context.Request.Query.ContainsKey("download"))
        {
            context.Response.Headers.ContentDisposition = "attachment; filename=\"consent-history.json\"";
        }

        return Results.Bytes(ConsentReceiptExport.ToUtf8Bytes(ReceiptSubject.Consent(consentId), receipts), ConsentReceiptExport.ContentType);
    }

    /// <summary>
    /// Makes a decision. Only in strict ledger mode can this fail (neither the store nor the spill
    /// file took the receipt): then nothing this request would have changed reaches the browser.
    /// </summary>
    private static async Task<bool> TryDecideAsync(HttpContext context, ConsentManager manager, ConsentFeature consent, string source, IReadOnlyCollection<string> granted, string pagePath, ILogger logger)
    {
        try
        {
            await manager.DecideAsync(context, consent, source, granted, pagePath).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.ConsentRequestRejected("the consent ledger could not keep the receipt");
            context.Response.Headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.SetCookie);
            context.Features.Set<IVisitorFeature>(null);
            return false;
        }
    }

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

    private static IResult LedgerUnavailable()
        => Results.Problem(
            detail: "Your choice could not be recorded, so nothing was changed; please try again in a moment.",
            statusCode: StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// A form that offers a category's services one by one says so with <c>services-of</c>. A person
    /// who ticks the category but none of its services has refused it: without this rule the
    /// services would follow the ticked category and be granted against the visible choice.
    /// </summary>
    private static string[] WithoutEmptiedCategories(string[] requested, StringValues offered)
    {
        if (offered.Count == 0)
        {
            return requested;
        }

        return [.. requested.Where(key =>
            key.Contains('/', StringComparison.Ordinal)
            || !offered.Contains(key)
            || requested.Any(other => other.Length > key.Length && other[key.Length] == '/' && other.StartsWith(key, StringComparison.Ordinal)))];
    }

    private static IResult AllowOnce(HttpContext context, IConsentFeature consent, IFormCollection form, ConsentPolicy policy, AllowOnceTokens tokens, ILogger logger)
    {
        var keys = form["allow"];
        if (keys.Count != 1 || string.IsNullOrEmpty(keys[0]) || !policy.IsKnown(keys[0]!))
        {
            return Reject(logger, StatusCodes.Status400BadRequest, "'once' needs exactly one known category or service in 'allow'.");
        }

        if (AcceptsJson(context.Request))
        {
            // The script shows the embed itself; nothing to record.
            return State(context, consent);
        }

        var target = ReturnUrls.Choose(form["returnUrl"], context.Request);
        var separator = target.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        context.Response.Headers.Location = $"{target}{separator}{AllowOnceTokens.QueryName}={Uri.EscapeDataString(tokens.Create(keys[0]!))}";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
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

    private static IResult State(HttpContext context, IConsentFeature consent, AntiforgeryResponse? antiforgery = null)
    {
        context.Response.Headers.CacheControl = "no-store";
        var policy = context.RequestServices.GetRequiredService<ConsentPolicy>();
        return Results.Json(ConsentStateResponse.From(consent, context.GetVisitor(), policy, antiforgery), EndpointJsonContext.Default.ConsentStateResponse);
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
