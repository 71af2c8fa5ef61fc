namespace FirstParty.AspNetCore.Collector;

/// <summary>Validates the <c>FirstParty:Collector</c> section at startup.</summary>
internal static class CollectorOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName + ":Collector";

    public static void Validate(CollectorOptions? collector, ConsentOptions? consent, List<string> failures)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var category in consent?.EffectiveCategories ?? [])
        {
            if (category?.Key is { } key)
            {
                keys.Add(key);
            }

            foreach (var service in category?.Services ?? [])
            {
                if (service?.Key is { } serviceKey)
                {
                    keys.Add(serviceKey);
                }
            }
        }

        if (collector is null)
        {
            failures.Add($"{Section} must not be null.");
            return;
        }

        if (string.IsNullOrEmpty(collector.PathPrefix) || collector.PathPrefix[0] != '/' || collector.PathPrefix.EndsWith('/') || collector.PathPrefix.Contains("//", StringComparison.Ordinal))
        {
            failures.Add($"{Section}:PathPrefix must start with '/' and not end with one; it is '{collector.PathPrefix}'.");
        }

        if (collector.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{Section}:MaxBodyBytes must be between 1024 and 16777216; it is {collector.MaxBodyBytes}.");
        }

        if (collector.QueueCapacity is < 1 or > 10_000_000)
        {
            failures.Add($"{Section}:QueueCapacity must be between 1 and 10000000; it is {collector.QueueCapacity}.");
        }

        if (collector.BatchSize is < 1 or > 2000)
        {
            // Amplitude takes at most 2000 events per request.
            failures.Add($"{Section}:BatchSize must be between 1 and 2000; it is {collector.BatchSize}.");
        }

        if (collector.BatchDelay < TimeSpan.Zero || collector.BatchDelay > TimeSpan.FromSeconds(1))
        {
            // Longer would only hold events in memory, where a crash loses them, for no fewer requests.
            failures.Add($"{Section}:BatchDelay must be between 00:00:00 and 00:00:01; it is {collector.BatchDelay}.");
        }

        if (collector.RetryDelay <= TimeSpan.Zero || collector.MaxRetryDelay < collector.RetryDelay)
        {
            failures.Add($"{Section}:RetryDelay must be positive and no longer than {Section}:MaxRetryDelay.");
        }

        if (collector.UpstreamTimeout < TimeSpan.FromMilliseconds(100) || collector.UpstreamTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add($"{Section}:UpstreamTimeout must be between 00:00:00.1 and 00:05:00; it is {collector.UpstreamTimeout}.");
        }

        if (string.IsNullOrWhiteSpace(collector.SpillDirectory) || collector.SpillDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{Section}:SpillDirectory must be a folder path.");
        }

        Vendor(collector.Snowplow, "Snowplow", keys, failures);
        Vendor(collector.Amplitude, "Amplitude", keys, failures);
        Vendor(collector.GoogleAnalytics, "GoogleAnalytics", keys, failures);
        Vendor(collector.Plausible, "Plausible", keys, failures);

        if (collector.Snowplow is { } snowplow)
        {
            if (string.IsNullOrEmpty(snowplow.CookieName) || !Cookies.CookieNameRules.IsToken(snowplow.CookieName))
            {
                failures.Add($"{Section}:Snowplow:CookieName must be a valid cookie name; it is '{snowplow.CookieName}'.");
            }

            if (snowplow.CookieLifetime < TimeSpan.FromMinutes(1) || snowplow.CookieLifetime > TimeSpan.FromDays(400))
            {
                failures.Add($"{Section}:Snowplow:CookieLifetime must be between 00:01:00 and 400.00:00:00 (browsers cap cookies at 400 days); it is {snowplow.CookieLifetime}.");
            }
        }

        if (collector.Plausible is { Upstream: not null, UserAgent: UserAgentForwarding.None })
        {
            // Plausible's Events API requires the visitor's User-Agent and silently drops events without one.
            failures.Add($"{Section}:Plausible:UserAgent must be Full or Reduced: Plausible drops every event that has no User-Agent.");
        }

        if (collector.Enabled && collector.Snowplow?.Upstream is null && collector.Amplitude?.Upstream is null
            && collector.GoogleAnalytics?.Upstream is null && collector.Plausible?.Upstream is null)
        {
            failures.Add($"{Section}:Enabled is true but no vendor has an Upstream: set {Section}:Snowplow:Upstream, :Amplitude:Upstream, :GoogleAnalytics:Upstream or :Plausible:Upstream.");
        }
    }

    private static void Vendor(CollectorVendorOptions? vendor, string name, HashSet<string> keys, List<string> failures)
    {
        if (vendor is null)
        {
            failures.Add($"{Section}:{name} must not be null.");
            return;
        }

        if (vendor.Upstream is { } upstream
            && (!upstream.IsAbsoluteUri || (upstream.Scheme != Uri.UriSchemeHttps && upstream.Scheme != Uri.UriSchemeHttp) || !string.IsNullOrEmpty(upstream.Query) || !string.IsNullOrEmpty(upstream.Fragment) || !string.IsNullOrEmpty(upstream.UserInfo)))
        {
            failures.Add($"{Section}:{name}:Upstream must be an absolute http or https URL without query, fragment or credentials; it is '{upstream.OriginalString}'.");
        }

        if (vendor.Consent is { } key && !keys.Contains(key))
        {
            failures.Add($"{Section}:{name}:Consent must be a declared category or service key (FirstParty:Consent:Categories), or null for the provider's category; it is '{key}'.");
        }

        if (!Enum.IsDefined(vendor.IpForwarding))
        {
            failures.Add($"{Section}:{name}:IpForwarding must be None, Anonymized or Full.");
        }

        if (!Enum.IsDefined(vendor.UserAgent))
        {
            failures.Add($"{Section}:{name}:UserAgent must be Full, Reduced or None.");
        }

        if (vendor.MaxBodyBytes is < 1024 or > 16 * 1024 * 1024)
        {
            failures.Add($"{Section}:{name}:MaxBodyBytes must be between 1024 and 16777216 (or null for the collector's); it is {vendor.MaxBodyBytes}.");
        }
    }
}
