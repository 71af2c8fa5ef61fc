using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Consent;
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
        var visitor = context.Features.Get<IVisitorFeature>();
        var consent = context.Features.Get<IConsentFeature>();
        var state = context.Features.Get<ProviderRequestState>();
        if (state?.Ids is { } known && ReferenceEquals(state.IdsVisitor, visitor) && ReferenceEquals(state.IdsConsent, consent) && ReferenceEquals(state.IdsDecision, (consent as ConsentFeature)?.Current))
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
        if (consent is not null)
        {
            state ??= ProviderMirrors.StateOf(context);
            state.Ids = ids;
            state.IdsVisitor = visitor;
            state.IdsConsent = consent;
            state.IdsDecision = (consent as ConsentFeature)?.Current;
        }

        return ids;
    }
}
