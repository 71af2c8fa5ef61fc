using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Consent;

/// <summary>Validates the <c>FirstParty:Consent</c> section at startup.</summary>
internal static class ConsentOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;
    private const int MaxChoices = 64;
    private const int MaxChoicesLength = 400;

    /// <param name="consent">The section checked.</param>
    /// <param name="visitor">The visitor cookie: its category must be declared, and the audience-measurement exemption constrains it.</param>
    /// <param name="session">The session cookie, whose name the consent cookie must not reuse.</param>
    /// <param name="cookies">The shared cookie attributes a prefixed cookie name must agree with.</param>
    /// <param name="failures">Where each failure is added.</param>
    public static void Validate(ConsentOptions consent, VisitorOptions visitor, VisitorSessionOptions session, FirstPartyCookieOptions cookies, List<string> failures)
    {
        OptionsValidation.CookieName($"{Section}:Consent:CookieName", consent.CookieName, cookies, failures);
        if (string.Equals(consent.CookieName, visitor.CookieName, StringComparison.Ordinal) || string.Equals(consent.CookieName, session.CookieName, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:Consent:CookieName must differ from the visitor and session cookie names; it is '{consent.CookieName}'.");
        }

        if (!Enum.IsDefined(consent.Regime))
        {
            failures.Add($"{Section}:Consent:Regime must be OptIn, OptOut or Implied.");
        }

        if (consent.Revision < 1)
        {
            failures.Add($"{Section}:Consent:Revision must be 1 or more; it is {consent.Revision}.");
        }

        foreach (var (key, lifetime) in new[] { ("AcceptLifetime", consent.AcceptLifetime), ("RefusalLifetime", consent.RefusalLifetime) })
        {
            if (lifetime <= TimeSpan.Zero || lifetime > VisitorOptions.MaximumLifetime)
            {
                failures.Add($"{Section}:Consent:{key} must be more than zero and at most 400 days; it is {OptionsValidation.Format(lifetime)}.");
            }
        }

        foreach (var header in new[] { ("RegionHeader", consent.RegionHeader), ("SubdivisionHeader", consent.SubdivisionHeader) })
        {
            if (header.Item2 is not null && !CookieNameRules.IsToken(header.Item2))
            {
                failures.Add($"{Section}:Consent:{header.Item1} must be a header name; it is '{header.Item2}'.");
            }
        }

        foreach (var (region, regime) in consent.Regions ?? new Dictionary<string, ConsentRegime>())
        {
            var known = region is RegionRules.EeaGroup or RegionRules.Fallback
                || string.Equals(RegionRules.Normalize(region), region, StringComparison.Ordinal);
            if (!known)
            {
                failures.Add($"{Section}:Consent:Regions:{region} is not a region: use a country code (FR), a country and subdivision (US-CA), EEA or *.");
            }

            if (!Enum.IsDefined(regime))
            {
                failures.Add($"{Section}:Consent:Regions:{region} must be OptIn, OptOut or Implied.");
            }
        }

        var categories = consent.EffectiveCategories;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < categories.Count; i++)
        {
            var key = categories[i]?.Key;
            if (key is null || !ConsentRecord.IsKey(key))
            {
                failures.Add($"{Section}:Consent:Categories:{i}:Key must be a lowercase key of letters, digits, '-' or '_' (at most 64); it is '{key}'.");
            }
            else if (!keys.Add(key))
            {
                failures.Add($"{Section}:Consent:Categories:{i}:Key '{key}' appears more than once.");
            }
        }

        foreach (var (category, i) in categories.Select((c, i) => (c, i)))
        {
            var services = category?.Services ?? [];
            for (var j = 0; j < services.Count; j++)
            {
                var prefix = $"{Section}:Consent:Categories:{i}:Services:{j}";
                if (services[j]?.Key is not { } serviceKey || !ConsentRecord.IsKey(serviceKey))
                {
                    failures.Add($"{prefix}:Key must be a lowercase key of letters, digits, '-' or '_'; it is '{services[j]?.Key}'.");
                }

                var cookieList = services[j]?.Cookies ?? [];
                for (var k = 0; k < cookieList.Count; k++)
                {
                    var name = cookieList[k]?.Name;
                    if (!CookieNameRules.IsToken(name) || (name!.IndexOf('*', StringComparison.Ordinal) is var star && star >= 0 && star != name.Length - 1))
                    {
                        failures.Add($"{prefix}:Cookies:{k}:Name must be a cookie name, or a prefix ending in '*'; it is '{name}'.");
                    }

                    if (cookieList[k]?.Path is { } path && !CookieNameRules.IsPath(path))
                    {
                        failures.Add($"{prefix}:Cookies:{k}:Path must be a path starting with '/' (no ';', ',', quotes or spaces); it is '{path}'.");
                    }
                }
            }
        }

        if (consent.AudienceMeasurementExemption)
        {
            if (visitor.ExpirationMode != VisitorExpirationMode.Fixed)
            {
                failures.Add($"{Section}:Consent:AudienceMeasurementExemption requires {Section}:Visitor:ExpirationMode to be Fixed (the exempt cookie's lifetime is never extended); it is {visitor.ExpirationMode}.");
            }

            if (visitor.Lifetime > TimeSpan.FromDays(395))
            {
                failures.Add($"{Section}:Consent:AudienceMeasurementExemption requires {Section}:Visitor:Lifetime of at most 395 days (13 months); it is {OptionsValidation.Format(visitor.Lifetime)}.");
            }
        }

        // Every choice must fit in the consent cookie: at most 64 keys, joined in under 400 characters.
        var choices = categories.Where(c => c is not null).SelectMany(c => (c!.Services ?? []).Select(s => $"{c.Key}/{s?.Key}").Prepend(c.Key)).ToList();
        var joinedLength = choices.Sum(c => c.Length + 1);
        if (choices.Count > MaxChoices || joinedLength > MaxChoicesLength)
        {
            failures.Add($"{Section}:Consent:Categories declares {choices.Count} categories and services ({joinedLength} characters as keys); the consent cookie holds at most {MaxChoices} of them in {MaxChoicesLength} characters. Use fewer or shorter keys.");
        }

        if (!Enum.IsDefined(consent.UndeclaredCookies))
        {
            failures.Add($"{Section}:Consent:UndeclaredCookies must be Warn, Block or Allow.");
        }

        if (!categories.Any(c => c is { Required: true }))
        {
            failures.Add($"{Section}:Consent:Categories must contain a required category (such as 'necessary').");
        }

        if (visitor.Category is { Length: > 0 } visitorCategory && !keys.Contains(visitorCategory))
        {
            failures.Add($"{Section}:Visitor:Category '{visitorCategory}' is not one of {Section}:Consent:Categories ({string.Join(", ", keys)}).");
        }
    }
}
