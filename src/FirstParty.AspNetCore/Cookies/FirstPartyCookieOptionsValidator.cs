using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>Validates the <c>FirstParty:Cookies</c> section at startup.</summary>
internal static class FirstPartyCookieOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    public static void Validate(FirstPartyCookieOptions cookies, List<string> failures)
    {
        if (!Enum.IsDefined(cookies.SameSite))
        {
            failures.Add($"{Section}:Cookies:SameSite must be Unspecified, None, Lax or Strict.");
        }
        else if (cookies.SameSite == SameSiteMode.None && cookies.Secure != CookieSecurePolicy.Always)
        {
            failures.Add($"{Section}:Cookies:SameSite None requires {Section}:Cookies:Secure to be Always (browsers reject SameSite=None cookies without Secure); it is {cookies.Secure}.");
        }

        if (!Enum.IsDefined(cookies.Secure))
        {
            failures.Add($"{Section}:Cookies:Secure must be SameAsRequest, Always or None.");
        }

        if (cookies.Format is not (2 or 3))
        {
            failures.Add($"{Section}:Cookies:Format must be 3 (the compact format) or 2 (the text format earlier releases read, for a rolling upgrade); it is {cookies.Format}.");
        }

        if (cookies.Domain is { } domain && !IsValidDomain(domain))
        {
            failures.Add($"{Section}:Cookies:Domain must be a host name such as 'example.com' (no scheme, port, path or spaces); it is '{domain}'.");
        }

        if (!string.IsNullOrWhiteSpace(cookies.PublicSuffixListPath))
        {
            ValidatePublicSuffixList(failures, cookies.PublicSuffixListPath);
        }
    }

    private static void ValidatePublicSuffixList(List<string> failures, string path)
    {
        const string Key = $"{Section}:Cookies:PublicSuffixListPath";
        if (!File.Exists(path))
        {
            failures.Add($"{Key} names a file that does not exist: '{path}'.");
            return;
        }

        try
        {
            if (PublicSuffixList.Load(path).RuleCount == 0)
            {
                failures.Add($"{Key} names a file with no public suffix rules: '{path}'.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failures.Add($"{Key} names a file that cannot be read: '{path}' ({ex.Message}).");
        }
    }

    private static bool IsValidDomain(string domain)
    {
        var host = domain.Trim().TrimStart('.');
        return host.Length is > 0 and <= 253
            && Uri.CheckHostName(host) is UriHostNameType.Dns
            && !host.Contains("..", StringComparison.Ordinal);
    }
}
