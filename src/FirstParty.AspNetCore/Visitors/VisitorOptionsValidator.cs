using System.Text.RegularExpressions;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>Validates the <c>FirstParty:Visitor</c> section at startup.</summary>
internal static class VisitorOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    public static void Validate(VisitorOptions visitor, FirstPartyCookieOptions cookies, List<string> failures)
    {
        OptionsValidation.CookieName($"{Section}:Visitor:CookieName", visitor.CookieName, cookies, failures);
        if (visitor.Lifetime <= TimeSpan.Zero || visitor.Lifetime > VisitorOptions.MaximumLifetime)
        {
            failures.Add($"{Section}:Visitor:Lifetime must be more than zero and at most 400 days (browsers cap cookie lifetimes at 400 days, RFC 6265bis); it is {OptionsValidation.Format(visitor.Lifetime)}.");
        }

        if (visitor.RefreshInterval < TimeSpan.Zero || visitor.RefreshInterval >= visitor.Lifetime)
        {
            failures.Add($"{Section}:Visitor:RefreshInterval must be at least zero and shorter than {Section}:Visitor:Lifetime; it is {OptionsValidation.Format(visitor.RefreshInterval)}.");
        }

        if (!Enum.IsDefined(visitor.ExpirationMode))
        {
            failures.Add($"{Section}:Visitor:ExpirationMode must be Sliding or Fixed.");
        }

        if (string.IsNullOrWhiteSpace(visitor.Category) || !string.Equals(visitor.Category, visitor.Category.ToLowerInvariant(), StringComparison.Ordinal))
        {
            failures.Add($"{Section}:Visitor:Category must be a lowercase category key such as 'analytics'; it is '{visitor.Category}'.");
        }

        if (visitor.CrawlerUserAgents is { } crawlers && crawlers.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{Section}:Visitor:CrawlerUserAgents must not contain empty entries.");
        }

        for (var i = 0; visitor.CrawlerUserAgents is { } patterns && i < patterns.Count; i++)
        {
            if (!string.IsNullOrWhiteSpace(patterns[i]) && RegexError(patterns[i]) is { } error)
            {
                failures.Add($"{Section}:Visitor:CrawlerUserAgents:{i} must be a regular expression (as in the crawler-user-agents list); '{patterns[i]}' is not: {error}");
            }
        }
    }

    private static string? RegexError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException ex)
        {
            return ex.Message;
        }
    }
}
