namespace FirstParty.AspNetCore.Linking;

/// <summary>Validates the <c>FirstParty:Linking</c> section at startup.</summary>
internal static class CrossDomainLinkingOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    public static void Validate(CrossDomainLinkingOptions? linking, List<string> failures)
    {
        if (linking is null)
        {
            failures.Add($"{Section}:Linking must not be null.");
            return;
        }

        foreach (var domain in linking.Domains)
        {
            if (Uri.CheckHostName(domain?.Trim()) != UriHostNameType.Dns)
            {
                failures.Add($"{Section}:Linking:Domains must list host names such as 'shop.example.org'; '{domain}' is not one.");
            }
        }

        if (string.IsNullOrEmpty(linking.ParameterName) || !linking.ParameterName.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
        {
            failures.Add($"{Section}:Linking:ParameterName must be letters, digits, '_' or '-'; it is '{linking.ParameterName}'.");
        }

        if (linking.Lifetime < TimeSpan.FromSeconds(10) || linking.Lifetime > TimeSpan.FromMinutes(30))
        {
            failures.Add($"{Section}:Linking:Lifetime must be between 10 seconds and 30 minutes; it is {linking.Lifetime}.");
        }

        if (linking.ReplayStoreTimeout < TimeSpan.FromMilliseconds(10) || linking.ReplayStoreTimeout > TimeSpan.FromSeconds(30))
        {
            failures.Add($"{Section}:Linking:ReplayStoreTimeout must be between 10 milliseconds and 30 seconds; it is {linking.ReplayStoreTimeout}.");
        }

        if (linking.SharedKey is { } key)
        {
            var bytes = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, bytes, out var length) || length < 32)
            {
                failures.Add($"{Section}:Linking:SharedKey must be base64 of at least 32 random bytes (for example from 'openssl rand -base64 32').");
            }
        }
    }
}
