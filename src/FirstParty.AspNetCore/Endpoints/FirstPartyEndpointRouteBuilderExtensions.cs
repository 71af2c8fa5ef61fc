using System.Globalization;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps FirstParty's endpoints.</summary>
public static class FirstPartyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the consent endpoints under <c>FirstParty:Endpoints:PathPrefix</c> (default <c>/_fp</c>):
    /// <c>GET</c>, <c>POST</c> and <c>DELETE /_fp/consent</c>, <c>GET /_fp/consent/receipts</c> (this browser's consent history), <c>POST /_fp/forget</c>, and
    /// <c>/.well-known/gpc.json</c> when Global Privacy Control is honoured. None of them writes
    /// visitor cookies on its own account; a decision mints or deletes them.
    /// </summary>
    public static IEndpointConventionBuilder MapFirstParty(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<FirstPartyOptions>>().Value;

        var group = endpoints.MapGroup(options.Endpoints.PathPrefix);
        group.MapGet("/consent", ConsentEndpoints.GetStateAsync).WithName("FirstParty.GetConsent");
        group.MapPost("/consent", ConsentEndpoints.PostAsync).WithName("FirstParty.PostConsent").DisableAntiforgery();
        group.MapDelete("/consent", ConsentEndpoints.DeleteAsync).WithName("FirstParty.DeleteConsent").DisableAntiforgery();
        group.MapGet("/consent/receipts", ReceiptsEndpoint.GetReceiptsAsync).WithName("FirstParty.GetConsentReceipts");
        group.MapGet("/link", LinkEndpoint.Link).WithName("FirstParty.Link");
        group.MapPost("/forget", ForgetEndpoint.ForgetAsync).WithName("FirstParty.Forget").DisableAntiforgery();

        // Without an HTTP method these match only when no endpoint above takes the method (routing
        // prefers endpoints that name their methods), so other methods get problem details too.
        group.Map("/consent", EndpointHelpers.MethodNotAllowed("GET, POST, DELETE"));
        group.Map("/consent/receipts", EndpointHelpers.MethodNotAllowed("GET"));
        group.Map("/link", EndpointHelpers.MethodNotAllowed("GET"));
        group.Map("/forget", EndpointHelpers.MethodNotAllowed("POST"));
        group.DisableVisitorCookies();

        if (options.Consent.HonorGlobalPrivacyControl)
        {
            var lastUpdate = options.Endpoints.GlobalPrivacyControlLastUpdate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            endpoints.MapGet("/.well-known/gpc.json", () => Results.Json(new GpcResponse(true, lastUpdate), EndpointJsonContext.Default.GpcResponse))
                .WithName("FirstParty.GpcWellKnown")
                .DisableVisitorCookies();
            endpoints.Map("/.well-known/gpc.json", EndpointHelpers.MethodNotAllowed("GET"))
                .DisableVisitorCookies();
        }

        return group;
    }
}
