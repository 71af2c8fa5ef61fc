using FirstParty.AspNetCore.Internal;
using System.Globalization;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>What every consent tag helper needs from the request: form models, return URL, nonce.</summary>
internal static class ConsentForms
{
    /// <summary>Asks the banner to open on its preferences (the no-JavaScript "cookie settings" link).</summary>
    public const string PreferencesQuery = "fp-preferences";

    private static readonly object TokenRenderedKey = new();

    public static FirstPartyOptions Options(HttpContext context)
        => context.RequestServices.GetRequiredService<IOptions<FirstPartyOptions>>().Value;

    public static string Endpoint(HttpContext context, string name)
        => context.Request.PathBase + Options(context).Endpoints.PathPrefix + "/" + name;

    public static ConsentFormModel? Create(HttpContext context, string idPrefix, bool withToken, bool preferencesOpen, ConsentBannerLayout? layout = null)
    {
        if (context.GetConsent() is not { } consent)
        {
            return null;
        }

        var services = context.RequestServices;
        var banner = Options(context).Banner;
        return new ConsentFormModel(
            services.GetRequiredService<ConsentUiTexts>(),
            CultureInfo.CurrentUICulture,
            consent,
            context.GetConsentCategories(),
            Endpoint(context, "consent"),
            ReturnUrl(context),
            services.GetRequiredService<CookieCatalogue>().ByCategory)
        {
            Layout = layout ?? banner.Layout,
            PolicyUrl = banner.PolicyUrl,
            PreferencesOpen = preferencesOpen,
            Antiforgery = withToken ? Tokens(context) : null,
            IdPrefix = idPrefix,
        };
    }

    /// <summary>
    /// The antiforgery tokens for a no-JavaScript form. A page holding one belongs to one browser,
    /// so the consent output-cache policy will not store it.
    /// </summary>
    public static AntiforgeryTokenSet Tokens(HttpContext context)
    {
        context.Items[TokenRenderedKey] = true;
        return context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
    }

    public static bool RenderedToken(HttpContext context) => context.Items.ContainsKey(TokenRenderedKey);

    /// <summary>The current page without FirstParty's own one-shot query parameters.</summary>
    public static string ReturnUrl(HttpContext context)
        => ReturnUrls.CurrentWithout(context.Request, PreferencesQuery, AllowOnceTokens.QueryName);

    /// <summary>Where the "cookie settings" link leads without JavaScript.</summary>
    public static string PreferencesUrl(HttpContext context)
    {
        if (Options(context).Banner.PreferencesUrl is { } configured)
        {
            return configured.StartsWith('/') ? context.Request.PathBase + configured : configured;
        }

        return QueryHelpers.AddQueryString(ReturnUrl(context), PreferencesQuery, "1");
    }

    public static bool PreferencesRequested(HttpContext context) => context.Request.Query.ContainsKey(PreferencesQuery);

    public static string? Nonce(HttpContext context) => Options(context).ScriptNonce?.Invoke(context);
}
