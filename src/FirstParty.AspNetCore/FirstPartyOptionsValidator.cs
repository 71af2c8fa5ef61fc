using System.Globalization;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore;

/// <summary>
/// Validates <see cref="FirstPartyOptions"/> at startup. Each failure names the configuration key
/// and the rule, so a bad deployment stops with an actionable message.
/// </summary>
internal sealed class FirstPartyOptionsValidator : IValidateOptions<FirstPartyOptions>
{
    private const string Section = FirstPartyOptions.SectionName;
    private const int MaxChoices = 64;
    private const int MaxChoicesLength = 400;

    public ValidateOptionsResult Validate(string? name, FirstPartyOptions options)
    {
        var failures = new List<string>();
        var visitor = options.Visitor;
        var session = options.Session;
        var cookies = options.Cookies;

        if (visitor is null || session is null || cookies is null || options.Events is null || options.Consent is null || options.Endpoints is null)
        {
            return ValidateOptionsResult.Fail($"{Section}:Visitor, {Section}:Session, {Section}:Consent, {Section}:Endpoints, {Section}:Cookies and Events must not be null.");
        }

        ValidateCookieName(failures, $"{Section}:Visitor:CookieName", visitor.CookieName, cookies);
        ValidateCookieName(failures, $"{Section}:Session:CookieName", session.CookieName, cookies);
        if (string.Equals(visitor.CookieName, session.CookieName, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:Visitor:CookieName and {Section}:Session:CookieName must differ; both are '{visitor.CookieName}'.");
        }

        if (visitor.Lifetime <= TimeSpan.Zero || visitor.Lifetime > VisitorOptions.MaximumLifetime)
        {
            failures.Add($"{Section}:Visitor:Lifetime must be more than zero and at most 400 days (browsers cap cookie lifetimes at 400 days, RFC 6265bis); it is {Format(visitor.Lifetime)}.");
        }

        if (visitor.RefreshInterval < TimeSpan.Zero || visitor.RefreshInterval >= visitor.Lifetime)
        {
            failures.Add($"{Section}:Visitor:RefreshInterval must be at least zero and shorter than {Section}:Visitor:Lifetime; it is {Format(visitor.RefreshInterval)}.");
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

        if (session.Timeout <= TimeSpan.Zero || session.Timeout > VisitorOptions.MaximumLifetime)
        {
            failures.Add($"{Section}:Session:Timeout must be more than zero and at most 400 days; it is {Format(session.Timeout)}.");
        }

        if (session.RefreshInterval < TimeSpan.Zero || session.RefreshInterval >= session.Timeout)
        {
            failures.Add($"{Section}:Session:RefreshInterval must be at least zero and shorter than {Section}:Session:Timeout; it is {Format(session.RefreshInterval)}.");
        }

        ValidateCookieAttributes(failures, cookies);
        ValidateConsent(failures, options.Consent, visitor, session, cookies);
        ValidateEndpoints(failures, options.Endpoints);
        ValidateBanner(failures, options.Banner);
        ValidateConsentMode(failures, options.ConsentMode, options.Consent);
        ValidateLedger(failures, options.Ledger);
        ValidateLinking(failures, options.Linking);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateConsent(List<string> failures, ConsentOptions consent, VisitorOptions visitor, VisitorSessionOptions session, FirstPartyCookieOptions cookies)
    {
        ValidateCookieName(failures, $"{Section}:Consent:CookieName", consent.CookieName, cookies);
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
                failures.Add($"{Section}:Consent:{key} must be more than zero and at most 400 days; it is {Format(lifetime)}.");
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
            var known = region is Consent.RegionRules.EeaGroup or Consent.RegionRules.Fallback
                || string.Equals(Consent.RegionRules.Normalize(region), region, StringComparison.Ordinal);
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
            if (key is null || !Consent.ConsentRecord.IsKey(key))
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
                if (services[j]?.Key is not { } serviceKey || !Consent.ConsentRecord.IsKey(serviceKey))
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
                failures.Add($"{Section}:Consent:AudienceMeasurementExemption requires {Section}:Visitor:Lifetime of at most 395 days (13 months); it is {Format(visitor.Lifetime)}.");
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

    private static void ValidateLinking(List<string> failures, CrossDomainLinkingOptions? linking)
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

        if (linking.SharedKey is { } key)
        {
            var bytes = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, bytes, out var length) || length < 32)
            {
                failures.Add($"{Section}:Linking:SharedKey must be base64 of at least 32 random bytes (for example from 'openssl rand -base64 32').");
            }
        }
    }

    private static void ValidateLedger(List<string> failures, ConsentLedgerOptions? ledger)
    {
        if (ledger is null)
        {
            failures.Add($"{Section}:Ledger must not be null.");
            return;
        }

        if (!Enum.IsDefined(ledger.Mode))
        {
            failures.Add($"{Section}:Ledger:Mode must be Background or Strict.");
        }

        if (ledger.QueueCapacity is < 1 or > 1_000_000)
        {
            failures.Add($"{Section}:Ledger:QueueCapacity must be between 1 and 1000000; it is {ledger.QueueCapacity}.");
        }

        if (ledger.BatchSize is < 1 or > 10_000)
        {
            failures.Add($"{Section}:Ledger:BatchSize must be between 1 and 10000; it is {ledger.BatchSize}.");
        }

        if (ledger.RetryDelay <= TimeSpan.Zero || ledger.MaxRetryDelay < ledger.RetryDelay)
        {
            failures.Add($"{Section}:Ledger:RetryDelay must be positive and no longer than {Section}:Ledger:MaxRetryDelay.");
        }

        if (string.IsNullOrWhiteSpace(ledger.SpillDirectory) || ledger.SpillDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{Section}:Ledger:SpillDirectory must be a folder path.");
        }

        if (ledger.Retention is { } retention && retention < TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:Ledger:Retention must be at least one day (or null to keep receipts forever); it is {retention}.");
        }

        if (ledger.PurgeInterval < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:Ledger:PurgeInterval must be at least one minute; it is {ledger.PurgeInterval}.");
        }

        if (!Enum.IsDefined(ledger.ForgetErasure))
        {
            failures.Add($"{Section}:Ledger:ForgetErasure must be Delete or Pseudonymise.");
        }

        if (ledger.UserAgentMaxLength is < 0 or > 4096)
        {
            failures.Add($"{Section}:Ledger:UserAgentMaxLength must be between 0 and 4096; it is {ledger.UserAgentMaxLength}.");
        }

        if (ledger.UserId is null)
        {
            failures.Add($"{Section}:Ledger:UserId must not be null.");
        }
    }

    private static void ValidateEndpoints(List<string> failures, FirstPartyEndpointOptions endpoints)
    {
        var prefix = endpoints.PathPrefix;
        if (string.IsNullOrEmpty(prefix) || prefix[0] != '/' || prefix.EndsWith('/') || prefix.Contains("//", StringComparison.Ordinal)
            || prefix.Any(c => char.IsWhiteSpace(c) || c is '?' or '#' or '{' or '}'))
        {
            failures.Add($"{Section}:Endpoints:PathPrefix must be a path such as '/_fp' (leading '/', no trailing '/'); it is '{prefix}'.");
        }
    }

    private static void ValidateBanner(List<string> failures, ConsentBannerOptions? banner)
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

        if (banner.PolicyUrl is { } policy && !IsLocalPath(policy) && !IsHttpsUrl(policy))
        {
            failures.Add($"{Section}:Banner:PolicyUrl must be a local path such as '/privacy' or an absolute https URL; it is '{policy}'.");
        }

        if (banner.PreferencesUrl is { } preferences && !IsLocalPath(preferences))
        {
            failures.Add($"{Section}:Banner:PreferencesUrl must be a local path such as '/privacy#cookies'; it is '{preferences}'.");
        }

        var names = (banner.Texts?.Keys ?? []).Select(name => ("Texts", name))
            .Concat((banner.Translations ?? new Dictionary<string, IDictionary<string, string>>())
                .SelectMany(t => (t.Value?.Keys ?? []).Select(name => ($"Translations:{t.Key}", name))));
        foreach (var (path, name) in names)
        {
            if (!TagHelpers.ConsentUiTexts.Names.Contains(name, StringComparer.Ordinal))
            {
                failures.Add($"{Section}:Banner:{path}:{name} is not a banner text; use one of {string.Join(", ", TagHelpers.ConsentUiTexts.Names)}.");
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

    private static void ValidateConsentMode(List<string> failures, ConsentModeOptions? mode, ConsentOptions consent)
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

    private static bool IsLocalPath(string url) => Endpoints.ReturnUrls.IsLocal(url);

    private static bool IsHttpsUrl(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps;

    private static void ValidateCookieName(List<string> failures, string key, string? cookieName, FirstPartyCookieOptions cookies)
    {
        if (!CookieNameRules.IsToken(cookieName))
        {
            failures.Add($"{key} must be a non-empty HTTP token (letters, digits and !#$%&'*+-.^_`|~; no spaces, '=', ';' or quotes); it is '{cookieName}'.");
            return;
        }

        if (CookieNameRules.HasHostPrefix(cookieName!))
        {
            if (!string.IsNullOrWhiteSpace(cookies.Domain))
            {
                failures.Add($"{key} uses the __Host- prefix, which forbids a Domain attribute; remove {Section}:Cookies:Domain ('{cookies.Domain}') or use the __Secure- prefix.");
            }

            if (cookies.Secure != CookieSecurePolicy.Always)
            {
                failures.Add($"{key} uses the __Host- prefix, which requires {Section}:Cookies:Secure to be Always; it is {cookies.Secure}.");
            }
        }
        else if (CookieNameRules.HasSecurePrefix(cookieName!) && cookies.Secure != CookieSecurePolicy.Always)
        {
            failures.Add($"{key} uses the __Secure- prefix, which requires {Section}:Cookies:Secure to be Always; it is {cookies.Secure}.");
        }
    }

    private static void ValidateCookieAttributes(List<string> failures, FirstPartyCookieOptions cookies)
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

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

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
