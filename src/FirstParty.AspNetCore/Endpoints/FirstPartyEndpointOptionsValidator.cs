namespace FirstParty.AspNetCore.Endpoints;

/// <summary>Validates the <c>FirstParty:Endpoints</c> section at startup.</summary>
internal static class FirstPartyEndpointOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    public static void Validate(FirstPartyEndpointOptions endpoints, List<string> failures)
    {
        var prefix = endpoints.PathPrefix;
        if (string.IsNullOrEmpty(prefix) || prefix[0] != '/' || prefix.EndsWith('/') || prefix.Contains("//", StringComparison.Ordinal)
            || prefix.Any(c => char.IsWhiteSpace(c) || c is '?' or '#' or '{' or '}'))
        {
            failures.Add($"{Section}:Endpoints:PathPrefix must be a path such as '/_fp' (leading '/', no trailing '/'); it is '{prefix}'.");
        }
    }
}
