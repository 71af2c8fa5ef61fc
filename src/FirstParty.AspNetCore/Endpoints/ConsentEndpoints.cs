using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Pipeline;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>
/// <c>/_fp/consent</c>: the consent state (GET), a decision (POST) and its withdrawal (DELETE).
/// State-changing requests need an antiforgery token (form field or header); answers are the JSON
/// state when the client accepts JSON, otherwise a 303 back to a local page.
/// </summary>
internal static class ConsentEndpoints
{
    /// <summary>Shows one gated element on the next page view without recording anything.</summary>
    internal const string AllowOnceChoice = "once";

    public static IResult GetStateAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (context.GetConsent() is not { } consent)
        {
            return EndpointHelpers.MissingMiddleware();
        }

        if (!context.Request.Query.ContainsKey("antiforgery"))
        {
            return EndpointHelpers.State(context, consent);
        }

        // The script posts choices from markup rendered without a token (the reopen template, which
        // must stay cacheable): it asks for one here. Other sites cannot read this answer (no CORS).
        var tokens = antiforgery.GetAndStoreTokens(context);
        return EndpointHelpers.State(context, consent, tokens.RequestToken is null || tokens.HeaderName is null ? null : new AntiforgeryResponse(tokens.HeaderName, tokens.RequestToken));
    }

    public static async Task<IResult> PostAsync(HttpContext context, IAntiforgery antiforgery, ConsentManager manager, ConsentDecisions decisions, AllowOnceTokens allowOnce, ILogger<ConsentManager> logger)
    {
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return EndpointHelpers.MissingMiddleware();
        }

        if (FormBody.DeclaresTooLarge(context.Request))
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        if (!context.Request.HasFormContentType)
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status415UnsupportedMediaType, "Post the consent form as application/x-www-form-urlencoded or multipart/form-data.");
        }

        // Read the form first: a body over the limit is a 413, not an antiforgery failure.
        var read = await FormBody.ReadAsync(context).ConfigureAwait(false);
        if (read.Form is not { } form)
        {
            return EndpointHelpers.Reject(logger, read.Status, read.Problem!);
        }

        if (!await EndpointHelpers.IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        var choice = form["choice"];
        if (choice.Count != 1)
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, "Send exactly one 'choice': accept-all, reject-all, custom, withdraw or once.");
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
                    return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, $"Unknown category or service '{EndpointHelpers.Truncate(unknown)}'.");
                }

                granted = WithoutEmptiedCategories(requested, form["services-of"]);
                break;
            default:
                return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, $"Unknown choice '{EndpointHelpers.Truncate(choice[0])}': use accept-all, reject-all, custom, withdraw or once.");
        }

        if (!await decisions.TryDecideAsync(context, consent, source, granted, ReturnUrls.Choose(form["returnUrl"], context.Request), ConsentLayers.Of(source, form[ConsentLayers.Field])).ConfigureAwait(false))
        {
            return EndpointHelpers.LedgerUnavailable();
        }

        return EndpointHelpers.Answer(context, consent, form["returnUrl"]);
    }

    public static async Task<IResult> DeleteAsync(HttpContext context, IAntiforgery antiforgery, ConsentDecisions decisions, ILogger<ConsentManager> logger)
    {
        if (context.Features.Get<IConsentFeature>() is not ConsentFeature consent)
        {
            return EndpointHelpers.MissingMiddleware();
        }

        if (!await EndpointHelpers.IsValidAntiforgeryAsync(context, antiforgery).ConfigureAwait(false))
        {
            return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, "The antiforgery token is missing or invalid.");
        }

        if (!await decisions.TryDecideAsync(context, consent, ConsentSources.Withdraw, [], ReturnUrls.Choose(context.Request.Query["returnUrl"], context.Request)).ConfigureAwait(false))
        {
            return EndpointHelpers.LedgerUnavailable();
        }

        return EndpointHelpers.Answer(context, consent, context.Request.Query["returnUrl"]);
    }

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
            return EndpointHelpers.Reject(logger, StatusCodes.Status400BadRequest, "'once' needs exactly one known category or service in 'allow'.");
        }

        if (EndpointHelpers.AcceptsJson(context.Request))
        {
            // The script shows the embed itself; nothing to record.
            return EndpointHelpers.State(context, consent);
        }

        var target = ReturnUrls.Choose(form["returnUrl"], context.Request);
        var separator = target.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        context.Response.Headers.Location = $"{target}{separator}{AllowOnceTokens.QueryName}={Uri.EscapeDataString(tokens.Create(keys[0]!))}";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}
