using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Internal;
using System.Globalization;
using FirstParty.AspNetCore.Endpoints;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>Validates the <c>FirstParty:Banner</c> section at startup.</summary>
internal static class ConsentBannerOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    public static void Validate(ConsentBannerOptions? banner, List<string> failures)
    {
        if (banner is null)
        {
            failures.Add($"{Section}:Banner must not be null.");
            return;
        }

        if (!Enum.IsDefined(banner.Layout))
        {
            failures.Add($"{Section}:Banner:Layout must be Bar, Box or Dialog.");
        }

        if (banner.PolicyUrl is { } policy && !ReturnUrls.IsLocal(policy) && !IsHttpsUrl(policy))
        {
            failures.Add($"{Section}:Banner:PolicyUrl must be a local path such as '/privacy' or an absolute https URL; it is '{policy}'.");
        }

        if (banner.PreferencesUrl is { } preferences && !ReturnUrls.IsLocal(preferences))
        {
            failures.Add($"{Section}:Banner:PreferencesUrl must be a local path such as '/privacy#cookies'; it is '{preferences}'.");
        }

        var names = (banner.Texts?.Keys ?? []).Select(name => ("Texts", name))
            .Concat((banner.Translations ?? new Dictionary<string, IDictionary<string, string>>())
                .SelectMany(t => (t.Value?.Keys ?? []).Select(name => ($"Translations:{t.Key}", name))));
        foreach (var (path, name) in names)
        {
            if (!ConsentUiTexts.Names.Contains(name, StringComparer.Ordinal))
            {
                failures.Add($"{Section}:Banner:{path}:{name} is not a banner text; use one of {string.Join(", ", ConsentUiTexts.Names)}.");
            }
        }

        foreach (var culture in banner.Translations?.Keys ?? [])
        {
            try
            {
                _ = CultureInfo.GetCultureInfo(culture, predefinedOnly: true);
            }
            catch (CultureNotFoundException)
            {
                failures.Add($"{Section}:Banner:Translations:{culture} is not a known culture name such as 'fr' or 'de-CH'.");
            }
        }
    }

    private static bool IsHttpsUrl(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;
}
