using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Collector;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps FirstParty's same-origin collector.</summary>
public static class CollectorEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the collector under <c>FirstParty:Collector:PathPrefix</c> (default <c>/_fp/c</c>), one
    /// group per vendor whose <c>Upstream</c> is set: Snowplow (<c>/snowplow/com.snowplowanalytics.snowplow/tp2</c>,
    /// <c>/snowplow/i</c>, <c>/snowplow/cookie-extension</c>), Amplitude (<c>/amplitude/2/httpapi</c>,
    /// <c>/amplitude/batch</c>), GA4 (<c>/ga4/g/collect</c>) and Plausible (<c>/plausible/api/event</c>).
    /// The endpoints never write visitor cookies and need no antiforgery token (the SDKs post JSON);
    /// the returned group takes conventions such as <c>RequireRateLimiting(...)</c>.
    /// </summary>
    /// <remarks>Nothing is mapped unless <c>FirstParty:Collector:Enabled</c> is true.</remarks>
    public static RouteGroupBuilder MapFirstPartyCollector(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Collector;
        var group = endpoints.MapGroup(options.PathPrefix);
        group.DisableVisitorCookies();
        group.DisableAntiforgery();
        if (!options.Enabled)
        {
            return group;
        }

        foreach (var vendor in endpoints.ServiceProvider.GetServices<ICollectorVendor>())
        {
            if (vendor.OptionsOf(options).Upstream is null)
            {
                continue;
            }

            foreach (var route in vendor.Routes)
            {
                var (v, r) = (vendor, route);
                group.MapMethods("/" + vendor.Name + route.Pattern, [route.Method], (HttpContext context, CollectorRequestHandler handler) => handler.HandleAsync(context, v, r))
                    .WithName($"FirstParty.Collector.{vendor.Name}.{route.Kind}.{route.Method}");
            }
        }

        return group;
    }
}
