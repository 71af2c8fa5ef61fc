namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>Validates the <c>FirstParty:ConsentMode</c> section at startup.</summary>
internal static class ConsentModeOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    /// <param name="mode">The section checked.</param>
    /// <param name="consent">The consent section, whose categories and services a configured signal must name.</param>
    /// <param name="failures">Where each failure is added.</param>
    public static void Validate(ConsentModeOptions? mode, ConsentOptions consent, List<string> failures)
    {
        if (mode is null)
        {
            failures.Add($"{Section}:ConsentMode must not be null.");
            return;
        }

        var categories = consent.EffectiveCategories;
        var defaults = new ConsentModeOptions().Signals;
        foreach (var (signal, key) in mode.Signals ?? new Dictionary<string, string>())
        {
            // A built-in mapping to a category the site does not have is simply denied; only a
            // mapping someone configured must name something that exists.
            var builtIn = defaults.TryGetValue(signal, out var defaultKey) && defaultKey == key;
            if (signal.Length == 0 || !signal.All(c => c is (>= 'a' and <= 'z') or '_'))
            {
                failures.Add($"{Section}:ConsentMode:Signals:{signal} is not a Consent Mode signal name such as 'ad_storage'.");
            }

            var slash = key?.IndexOf('/', StringComparison.Ordinal) ?? -1;
            var category = slash < 0 ? key : key![..slash];
            var known = categories.FirstOrDefault(c => c.Key == category) is { } found
                && (slash < 0 || (found.Services ?? []).Any(s => s.Key == key![(slash + 1)..]));
            if (!known && !builtIn)
            {
                failures.Add($"{Section}:ConsentMode:Signals:{signal} must name a configured category or category/service; '{key}' is neither.");
            }
        }

        if (mode.WaitForUpdate is < 0 or > 60_000)
        {
            failures.Add($"{Section}:ConsentMode:WaitForUpdate must be between 0 and 60000 milliseconds; it is {mode.WaitForUpdate}.");
        }

        if (string.IsNullOrEmpty(mode.DataLayerName) || !(char.IsAsciiLetter(mode.DataLayerName[0]) || mode.DataLayerName[0] is '_' or '$')
            || !mode.DataLayerName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '$'))
        {
            failures.Add($"{Section}:ConsentMode:DataLayerName must be a JavaScript identifier such as 'dataLayer'; it is '{mode.DataLayerName}'.");
        }
    }
}
