using FirstParty.AspNetCore.Tests.TestUtils;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>Invalid collector settings stop the host with a message naming the option.</summary>
public sealed class CollectorOptionsValidatorTests
{
    [Theory]
    [InlineData("FirstParty:Collector:Snowplow:Upstream", "/relative", "FirstParty:Collector:Snowplow:Upstream")]
    [InlineData("FirstParty:Collector:Amplitude:Upstream", "ftp://api2.amplitude.com", "FirstParty:Collector:Amplitude:Upstream")]
    [InlineData("FirstParty:Collector:GoogleAnalytics:Upstream", "https://www.google-analytics.com?x=1", "FirstParty:Collector:GoogleAnalytics:Upstream")]
    [InlineData("FirstParty:Collector:Plausible:Upstream", "https://user:pw@plausible.io", "FirstParty:Collector:Plausible:Upstream")]
    [InlineData("FirstParty:Collector:PathPrefix", "_fp/c", "FirstParty:Collector:PathPrefix")]
    [InlineData("FirstParty:Collector:PathPrefix", "/_fp/c/", "FirstParty:Collector:PathPrefix")]
    [InlineData("FirstParty:Collector:MaxBodyBytes", "10", "FirstParty:Collector:MaxBodyBytes")]
    [InlineData("FirstParty:Collector:BatchSize", "2001", "FirstParty:Collector:BatchSize")]
    [InlineData("FirstParty:Collector:BatchDelay", "-00:00:00.001", "FirstParty:Collector:BatchDelay")]
    [InlineData("FirstParty:Collector:BatchDelay", "00:00:01.001", "FirstParty:Collector:BatchDelay")]
    [InlineData("FirstParty:Collector:QueueCapacity", "0", "FirstParty:Collector:QueueCapacity")]
    [InlineData("FirstParty:Collector:RetryDelay", "00:01:00", "FirstParty:Collector:RetryDelay")]
    [InlineData("FirstParty:Collector:UpstreamTimeout", "00:00:00.001", "FirstParty:Collector:UpstreamTimeout")]
    [InlineData("FirstParty:Collector:Snowplow:CookieLifetime", "500.00:00:00", "FirstParty:Collector:Snowplow:CookieLifetime")]
    [InlineData("FirstParty:Collector:Snowplow:CookieName", "s p", "FirstParty:Collector:Snowplow:CookieName")]
    [InlineData("FirstParty:Collector:Amplitude:Consent", "nonexistent", "FirstParty:Collector:Amplitude:Consent")]
    [InlineData("FirstParty:Collector:Plausible:MaxBodyBytes", "100", "FirstParty:Collector:Plausible:MaxBodyBytes")]
    public async Task An_invalid_value_fails_at_startup_naming_the_option(string key, string value, string named)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["FirstParty:Collector:Enabled"] = "true",
            ["FirstParty:Collector:Snowplow:Upstream"] = "https://collector.example.com",
        };
        settings[key] = value;

        var ex = await OptionsHost.AssertStartFailsAsync([.. settings.Select(s => (s.Key, s.Value))]);

        Assert.Contains(ex.Failures, f => f.Contains(named, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enabled_without_any_upstream_fails_naming_the_upstreams()
    {
        var ex = await OptionsHost.AssertStartFailsAsync(("FirstParty:Collector:Enabled", "true"));

        Assert.Contains(ex.Failures, f => f.Contains("FirstParty:Collector:Enabled", StringComparison.Ordinal) && f.Contains("Snowplow:Upstream", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_configuration_starts()
    {
        using var host = OptionsHost.Build(new Dictionary<string, string?>
        {
            ["FirstParty:Collector:Enabled"] = "true",
            ["FirstParty:Collector:Snowplow:Upstream"] = "https://collector.example.com",
            ["FirstParty:Collector:Amplitude:Upstream"] = "https://api.eu.amplitude.com",
            ["FirstParty:Collector:Amplitude:Consent"] = "analytics",
            ["FirstParty:Collector:Plausible:IpForwarding"] = "Anonymized",
            ["FirstParty:Collector:SpillDirectory"] = Path.Combine(Path.GetTempPath(), "fp-collector-valid-" + Guid.NewGuid().ToString("N")),
        });

        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task The_snowplow_snippet_needs_no_collector_url_when_the_collector_forwards_snowplow()
    {
        using var host = OptionsHost.Build(new Dictionary<string, string?>
        {
            ["FirstParty:Providers:Snowplow:ScriptUrl"] = "/sdk/sp.js",
            ["FirstParty:Collector:Enabled"] = "true",
            ["FirstParty:Collector:Snowplow:Upstream"] = "https://collector.example.com",
            ["FirstParty:Collector:SpillDirectory"] = Path.Combine(Path.GetTempPath(), "fp-collector-sp-" + Guid.NewGuid().ToString("N")),
        });
        await host.StartAsync();
        await host.StopAsync();

        var ex = await OptionsHost.AssertStartFailsAsync(("FirstParty:Providers:Snowplow:ScriptUrl", "/sdk/sp.js"));
        Assert.Contains(ex.Failures, f => f.Contains("FirstParty:Providers:Snowplow:CollectorUrl", StringComparison.Ordinal));
    }
}
