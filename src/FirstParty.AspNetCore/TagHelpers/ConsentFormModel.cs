using FirstParty.AspNetCore.Consent;
using System.Globalization;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Antiforgery;

namespace FirstParty.AspNetCore;

/// <summary>
/// The model of FirstParty's consent views (<c>FirstParty/_ConsentBanner</c>,
/// <c>FirstParty/_ConsentPreferences</c>), for apps that override them with their own markup.
/// </summary>
public sealed class ConsentFormModel
{
    private readonly ConsentUiTexts _texts;
    private readonly CultureInfo _culture;
    private readonly ILookup<string, CookieDeclaration> _cookies;

    internal ConsentFormModel(
        ConsentUiTexts texts,
        CultureInfo culture,
        IConsentFeature consent,
        IReadOnlyList<ConsentCategoryView> categories,
        string action,
        string returnUrl,
        ILookup<string, CookieDeclaration> cookies)
    {
        _cookies = cookies;
        _texts = texts;
        _culture = culture;
        Consent = consent;
        Categories = categories;
        Action = action;
        ReturnUrl = returnUrl;
    }

    /// <summary>The request's consent state.</summary>
    public IConsentFeature Consent { get; }

    /// <summary>The categories with their services, texts in the request's culture.</summary>
    public IReadOnlyList<ConsentCategoryView> Categories { get; }

    /// <summary>The consent endpoint the forms post to.</summary>
    public string Action { get; }

    /// <summary>The local URL the endpoint sends the browser back to.</summary>
    public string ReturnUrl { get; }

    /// <summary>The banner's layout.</summary>
    public ConsentBannerLayout Layout { get; init; }

    /// <summary>The link to the site's privacy or cookie policy, if configured.</summary>
    public string? PolicyUrl { get; init; }

    /// <summary>Render with the preferences open (the person asked to change their choices).</summary>
    public bool PreferencesOpen { get; init; }

    /// <summary>
    /// The antiforgery token for the forms. Null when the markup is only for the script (the
    /// reopen template), which sends a token it fetches itself so the page stays cacheable.
    /// </summary>
    public AntiforgeryTokenSet? Antiforgery { get; init; }

    /// <summary>A prefix for element ids, unique per rendered form on the page.</summary>
    public string IdPrefix { get; init; } = "fp";

    /// <summary>Every cookie declared for a category (its services' and its own), from the same catalogue that gates them.</summary>
    public IEnumerable<CookieDeclaration> CookiesOf(string category) => _cookies[category];

    /// <summary>A text by name, in the request's culture, after configured overrides.</summary>
    public string Text(string name) => _texts.Get(name, _culture);

    /// <summary>A text by name with its placeholders filled in.</summary>
    public string Text(string name, params object?[] args) => _texts.Format(name, _culture, args);

    /// <summary>Whether a checkbox starts ticked: required, else the earlier choice after a new revision, else the current state.</summary>
    public static bool IsChecked(ConsentCategoryView category)
    {
        ArgumentNullException.ThrowIfNull(category);
        return category.Required || (category.PreviouslyGranted ?? category.Granted);
    }

    /// <summary>Whether a service's checkbox starts ticked.</summary>
    public static bool IsChecked(ConsentServiceView service)
    {
        ArgumentNullException.ThrowIfNull(service);
        return service.PreviouslyGranted ?? service.Granted;
    }
}
