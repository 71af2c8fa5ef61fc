using FirstParty.AspNetCore.Insights;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps FirstParty's staff insights page.</summary>
public static class InsightsEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the staff insights page at <paramref name="pattern"/>: consent rates from the ledger by
    /// day, region, policy revision and choice; this instance's banner impressions, decisions and
    /// rescued SDK cookies since it started; and data subject requests (find, export, erase or
    /// pseudonymise a person's receipts), each recorded in the staff action log. Only users that
    /// <paramref name="policy"/> authorizes get in: there is no anonymous mode, and the app must call
    /// <c>UseAuthorization()</c>. Needs a ledger store that implements <see cref="FirstParty.AspNetCore.IConsentLedgerInsights"/>.
    /// </summary>
    /// <param name="endpoints">The app.</param>
    /// <param name="policy">The name of the authorization policy staff must meet, for example <c>"FirstPartyStaff"</c>.</param>
    /// <param name="pattern">Where the page lives. Default <c>/_fp/insights</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="policy"/> is empty, or names no registered policy.</exception>
    /// <exception cref="InvalidOperationException">Authorization is not registered, or the ledger store cannot serve the page.</exception>
    public static IEndpointConventionBuilder MapFirstPartyInsights(this IEndpointRouteBuilder endpoints, string policy, string pattern = "/_fp/insights")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (string.IsNullOrWhiteSpace(policy))
        {
            throw new ArgumentException("MapFirstPartyInsights needs the name of an authorization policy (argument 'policy'), for example \"FirstPartyStaff\": the page shows consent data and erases receipts, so it has no anonymous mode.", nameof(policy));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
        var services = endpoints.ServiceProvider;
        var policies = services.GetService<IAuthorizationPolicyProvider>()
            ?? throw new InvalidOperationException("MapFirstPartyInsights needs authorization: call services.AddAuthorization(o => o.AddPolicy(\"" + policy + "\", ...)) and app.UseAuthorization().");

        // A custom provider may make policies on demand; the default one knows them all now.
        if (policies is DefaultAuthorizationPolicyProvider && policies.GetPolicyAsync(policy).GetAwaiter().GetResult() is null)
        {
            throw new ArgumentException($"MapFirstPartyInsights: no authorization policy named '{policy}' (argument 'policy') is registered; add it with services.AddAuthorization(o => o.AddPolicy(\"{policy}\", ...)).", nameof(policy));
        }

        var basePath = pattern.TrimEnd('/');
        var handlers = InsightsEndpoints.Create(services, basePath);
        var group = endpoints.MapGroup(basePath);
        group.MapGet("/", (Func<HttpContext, Task<IResult>>)handlers.PageAsync).WithName("FirstParty.Insights");
        group.MapGet(InsightsStylesheet.Path, (Func<HttpContext, IResult>)InsightsEndpoints.Stylesheet).WithName("FirstParty.InsightsStylesheet");
        group.MapPost("/search", (Func<HttpContext, Task<IResult>>)handlers.SearchAsync).WithName("FirstParty.InsightsSearch");
        group.MapPost("/export", (Func<HttpContext, Task<IResult>>)handlers.ExportAsync).WithName("FirstParty.InsightsExport");
        group.MapPost("/erase", (Func<HttpContext, Task<IResult>>)handlers.EraseAsync).WithName("FirstParty.InsightsErase");

        // The handlers check the token themselves, whether or not the app runs UseAntiforgery().
        group.DisableAntiforgery();
        group.DisableVisitorCookies();
        group.RequireAuthorization(policy);
        return group;
    }
}
