using System.Globalization;
using System.Text;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.OutputCaching;

/// <summary>
/// Keeps output-cached pages right for the consent tag helpers: one cache entry per consent state
/// (decided or not, policy revision, regime, opt-out signal, every category's and service's answer)
/// and UI culture, so nobody is served a banner, a gated script or a placeholder rendered for
/// someone else's choice. Pages that rendered an antiforgery token (the live banner, placeholders,
/// the preferences form) belong to one browser and are never stored.
/// </summary>
internal sealed class ConsentOutputCachePolicy : IOutputCachePolicy
{
    public const string VaryKey = "fp-consent";
    public const string CultureKey = "fp-culture";

    public static readonly ConsentOutputCachePolicy Instance = new();

    ValueTask IOutputCachePolicy.CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var http = context.HttpContext;
        if (http.GetConsent() is { } consent)
        {
            context.CacheVaryByRules.VaryByValues[VaryKey] = Fingerprint(consent, http.RequestServices.GetRequiredService<ConsentPolicy>());
            context.CacheVaryByRules.VaryByValues[CultureKey] = CultureInfo.CurrentUICulture.Name;
        }

        return ValueTask.CompletedTask;
    }

    ValueTask IOutputCachePolicy.ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    ValueTask IOutputCachePolicy.ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        if (ConsentForms.RenderedToken(context.HttpContext))
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Everything the consent tag helpers' output depends on, as a short string.</summary>
    internal static string Fingerprint(IConsentFeature consent, ConsentPolicy policy)
    {
        var key = new StringBuilder(32)
            .Append(consent.IsDecided ? 'd' : 'u')
            .Append(consent.IsStale ? 's' : '-')
            .Append(consent.GlobalPrivacyControl ? 'g' : '-')
            .Append((int)consent.Regime)
            .Append('r').Append(consent.Revision)
            .Append(':');
        foreach (var category in policy.Categories)
        {
            key.Append(consent.IsGranted(category.Key) ? '1' : '0');
        }

        key.Append(':');
        foreach (var service in policy.ServiceKeys)
        {
            key.Append(consent.IsGranted(service) ? '1' : '0');
        }

        return key.ToString();
    }
}
