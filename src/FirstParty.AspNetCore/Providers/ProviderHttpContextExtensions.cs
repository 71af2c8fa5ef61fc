using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Providers;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>Reads the analytics SDKs' ids for server-side events.</summary>
public static class ProviderHttpContextExtensions
{
    /// <summary>The enabled SDKs' ids for this visitor (see <see cref="ProviderIds"/>).</summary>
    public static ProviderIds GetProviderIds(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var consentFeature = context.Features.Get<IConsentFeature>() as FirstParty.AspNetCore.Consent.ConsentFeature;
        if (consentFeature?.ProviderIds is { } known && ReferenceEquals(consentFeature.ProviderIdsVisitor, context.Features.Get<IVisitorFeature>()))
        {
            return known;
        }

        var mirrors = context.RequestServices.GetService<ProviderMirrors>();
        string? snowplow = null, amplitude = null, google = null;
        foreach (var profile in mirrors?.Profiles ?? [])
        {
            if (mirrors!.ContextFor(context, profile) is not { } cookies)
            {
                continue;
            }

            var id = profile.ResolveId(cookies);
            switch (profile)
            {
                case SnowplowProfile:
                    snowplow = id;
                    break;
                case AmplitudeProfile:
                    amplitude = id;
                    break;
                case GoogleAnalyticsProfile:
                    google = id;
                    break;
            }
        }

        var ids = new ProviderIds(snowplow, amplitude, google);
        if (consentFeature is not null)
        {
            consentFeature.ProviderIds = ids;
            consentFeature.ProviderIdsVisitor = context.Features.Get<IVisitorFeature>();
        }

        return ids;
    }
}
