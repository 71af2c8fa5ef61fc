using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Providers;

/// <summary>Validates the options of the enabled provider profiles at startup, naming each key.</summary>
internal sealed class ProviderOptionsValidator(IEnumerable<ProviderProfileRegistration> registrations) : IValidateOptions<FirstPartyOptions>
{
    private const string Section = "FirstParty:Providers";
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(400);
    private static readonly string[] SameSiteValues = ["Lax", "Strict", "None"];

    public ValidateOptionsResult Validate(string? name, FirstPartyOptions options)
    {
        var failures = new List<string>();
        var categories = ((IEnumerable<ConsentCategoryOptions>?)options.Consent.Categories ?? ConsentOptions.DefaultCategories).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            if (registration.Options == typeof(SnowplowProfileOptions))
            {
                Snowplow(failures, options.Providers.Snowplow, categories);
            }
            else if (registration.Options == typeof(AmplitudeProfileOptions))
            {
                Amplitude(failures, options.Providers.Amplitude, categories);
            }
            else if (registration.Options == typeof(GoogleAnalyticsProfileOptions))
            {
                Lifetime(failures, $"{Section}:GoogleAnalytics:Lifetime", options.Providers.GoogleAnalytics.Lifetime);
                Category(failures, $"{Section}:GoogleAnalytics:Category", options.Providers.GoogleAnalytics.Category, categories);
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Snowplow(List<string> failures, SnowplowProfileOptions snowplow, HashSet<string> categories)
    {
        Category(failures, $"{Section}:Snowplow:Category", snowplow.Category, categories);
        if (string.IsNullOrEmpty(snowplow.CookieNamePrefix) || !snowplow.CookieNamePrefix.All(IsTokenChar))
        {
            failures.Add($"{Section}:Snowplow:CookieNamePrefix must be a cookie-name token such as '_sp_'; it is '{snowplow.CookieNamePrefix}'.");
        }

        if (snowplow.CookieDomain is { Length: > 0 } domain && Uri.CheckHostName(domain.TrimStart('.')) != UriHostNameType.Dns)
        {
            failures.Add($"{Section}:Snowplow:CookieDomain must be a host name such as 'example.com' (as in the tracker's cookieDomain); it is '{domain}'.");
        }

        if (!SameSiteValues.Contains(snowplow.SameSite, StringComparer.Ordinal))
        {
            failures.Add($"{Section}:Snowplow:SameSite must be Lax, Strict or None; it is '{snowplow.SameSite}'.");
        }
        else if (snowplow.SameSite == "None" && !snowplow.Secure)
        {
            failures.Add($"{Section}:Snowplow:SameSite None needs {Section}:Snowplow:Secure true.");
        }

        Lifetime(failures, $"{Section}:Snowplow:Lifetime", snowplow.Lifetime, cap: false);
        if (snowplow.SessionTimeout <= TimeSpan.Zero || snowplow.SessionTimeout > TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:Snowplow:SessionTimeout must be more than zero and at most one day; it is {snowplow.SessionTimeout}.");
        }
    }

    private static void Amplitude(List<string> failures, AmplitudeProfileOptions amplitude, HashSet<string> categories)
    {
        Category(failures, $"{Section}:Amplitude:Category", amplitude.Category, categories);
        var needed = amplitude.Sdk == AmplitudeSdk.AmplitudeJs ? 6 : 10;
        if (amplitude.ApiKey is not { } key || key.Length < needed || !key.All(char.IsAsciiLetterOrDigit))
        {
            failures.Add($"{Section}:Amplitude:ApiKey must be the project's API key (letters and digits, at least {needed} characters for {amplitude.Sdk}).");
        }

        if (!Enum.IsDefined(amplitude.Sdk))
        {
            failures.Add($"{Section}:Amplitude:Sdk must be AnalyticsBrowser or AmplitudeJs.");
        }

        Lifetime(failures, $"{Section}:Amplitude:Lifetime", amplitude.Lifetime);
    }

    private static void Category(List<string> failures, string key, string category, HashSet<string> categories)
    {
        if (!categories.Contains(category))
        {
            failures.Add($"{key} must name a consent category ({string.Join(", ", categories)}); it is '{category}'.");
        }
    }

    /// <summary>Lifetimes above 400 days are capped by browsers; the SDK's own two-year default is accepted and capped when written.</summary>
    private static void Lifetime(List<string> failures, string key, TimeSpan lifetime, bool cap = true)
    {
        if (lifetime <= TimeSpan.Zero || (cap && lifetime > MaxLifetime))
        {
            failures.Add($"{key} must be more than zero{(cap ? " and at most 400 days" : string.Empty)}; it is {lifetime}.");
        }
    }

    private static bool IsTokenChar(char c)
        => c is > ' ' and < '\u007f' and not ('(' or ')' or '<' or '>' or '@' or ',' or ';' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '=' or '{' or '}');
}
