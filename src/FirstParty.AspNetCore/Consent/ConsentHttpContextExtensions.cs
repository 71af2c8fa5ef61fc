using System.Globalization;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Consent;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>Reads FirstParty's consent state from an <see cref="HttpContext"/>.</summary>
public static class ConsentHttpContextExtensions
{
    /// <summary>Returns the consent state of this request, or null when <c>UseFirstParty()</c> did not run.</summary>
    public static IConsentFeature? GetConsent(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IConsentFeature>();
    }

    /// <summary>
    /// Every category with its services, texts in the request's UI culture
    /// (<see cref="CultureInfo.CurrentUICulture"/>, set by <c>UseRequestLocalization</c>) and whether
    /// each is granted on this request.
    /// </summary>
    public static IReadOnlyList<ConsentCategoryView> GetConsentCategories(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var policy = context.RequestServices.GetRequiredService<ConsentPolicy>();
        var texts = context.RequestServices.GetRequiredService<ConsentTexts>();
        var consent = context.GetConsent();
        var previous = (consent as ConsentFeature)?.Previous;
        var culture = CultureInfo.CurrentUICulture;

        var views = new List<ConsentCategoryView>(policy.Categories.Count);
        foreach (var category in policy.Categories)
        {
            var services = new List<ConsentServiceView>();
            foreach (var service in category.Services ?? [])
            {
                var key = ConsentPolicy.ServiceKey(category.Key, service.Key);
                var (serviceTitle, serviceDescription) = texts.For(service.Key, service.Title, service.Description, service.Translations, culture);
                bool? previouslyGranted = previous is null ? null : policy.IsGranted(key, previous, consent!.Regime, optOutSignal: false);
                services.Add(new ConsentServiceView(key, serviceTitle, serviceDescription, service.Provider, consent?.IsGranted(key) ?? false, [.. service.Cookies ?? []], previouslyGranted));
            }

            var (title, description) = texts.For(category.Key, category.Title, category.Description, category.Translations, culture);
            bool? categoryPreviouslyGranted = previous is null ? null : policy.Grants(previous, category.Key);
            views.Add(new ConsentCategoryView(
                category.Key, title, description, category.Required, category.SaleOrSharing, category.Required || (consent?.IsGranted(category.Key) ?? false), services, categoryPreviouslyGranted));
        }

        return views;
    }
}
