using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.TrackingSnippets;

/// <summary>
/// Startup validation of the snippets' settings, which runs whether or not a provider profile
/// (<c>AddSnowplow()</c>, <c>AddAmplitude()</c>, <c>AddGoogleAnalytics()</c>) is added.
/// </summary>
public sealed class SnippetOptionsValidatorTests
{
    private const string Section = "FirstParty:Providers";

    private static FirstPartyOptions Resolve(Action<ProviderProfileOptions> configure, Action<IFirstPartyBuilder>? add = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddFirstParty(o => configure(o.Providers));
        add?.Invoke(builder);
        TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<IOptions<FirstPartyOptions>>().Value;
    }

    private static OptionsValidationException Fails(Action<ProviderProfileOptions> configure, Action<IFirstPartyBuilder>? add = null)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Resolve(configure, add));
        Assert.Equal(typeof(FirstPartyOptions), ex.OptionsType);
        return ex;
    }

    private static void Passes(Action<ProviderProfileOptions> configure) => Assert.NotNull(Resolve(configure));

    [Fact]
    public void Nothing_set_passes()
    {
        var options = Resolve(_ => { });

        Assert.Null(options.Providers.Snowplow.ScriptUrl);
        Assert.Null(options.Providers.GoogleAnalytics.MeasurementId);
    }

    // ---- Snowplow ----

    [Fact]
    public void Snowplow_script_url_without_collector_fails_naming_the_collector()
    {
        var ex = Fails(p => p.Snowplow.ScriptUrl = "/js/sp.js");

        Assert.Contains($"{Section}:Snowplow:CollectorUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snowplow_collector_without_script_url_fails_naming_the_script_url()
    {
        var ex = Fails(p => p.Snowplow.CollectorUrl = "/collector");

        Assert.Contains($"{Section}:Snowplow:ScriptUrl", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("//evil.example/x.js")]
    [InlineData("data:text/javascript,alert(1)")]
    [InlineData("ftp://files.example/sp.js")]
    [InlineData("js/sp.js")]
    public void A_snowplow_script_url_that_is_not_http_or_a_local_path_fails(string url)
    {
        var ex = Fails(p =>
        {
            p.Snowplow.ScriptUrl = url;
            p.Snowplow.CollectorUrl = "/collector";
        });

        Assert.Contains($"{Section}:Snowplow:ScriptUrl must be an absolute http(s) URL or a local path", ex.Message, StringComparison.Ordinal);
        Assert.Contains(url, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("//evil.example/c")]
    public void A_snowplow_collector_that_is_not_http_or_a_local_path_fails(string url)
    {
        var ex = Fails(p =>
        {
            p.Snowplow.ScriptUrl = "/js/sp.js";
            p.Snowplow.CollectorUrl = url;
        });

        Assert.Contains($"{Section}:Snowplow:CollectorUrl must be", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sdk/x.js", "/collector")]
    [InlineData("https://cdn.shop.example/sp.js", "https://collector.shop.example")]
    [InlineData("http://localhost:5000/sp.js", "http://localhost:9090")]
    public void Snowplow_with_local_or_http_urls_passes(string scriptUrl, string collectorUrl)
        => Passes(p =>
        {
            p.Snowplow.ScriptUrl = scriptUrl;
            p.Snowplow.CollectorUrl = collectorUrl;
        });

    [Fact]
    public void Snippet_settings_are_validated_with_a_profile_too()
    {
        var ex = Fails(p => p.Snowplow.ScriptUrl = "javascript:alert(1)", b => b.AddSnowplow());

        Assert.Contains($"{Section}:Snowplow:ScriptUrl", ex.Message, StringComparison.Ordinal);
    }

    // ---- Amplitude ----

    [Fact]
    public void Amplitude_script_url_without_api_key_fails_naming_the_key()
    {
        var ex = Fails(p => p.Amplitude.ScriptUrl = "/js/amplitude.js");

        Assert.Contains($"{Section}:Amplitude:ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Amplitude_script_url_with_an_api_key_passes()
        => Passes(p =>
        {
            p.Amplitude.ScriptUrl = "/js/amplitude.js";
            p.Amplitude.ApiKey = "0123456789abcdef0123456789abcdef";
        });

    [Theory]
    [InlineData("javascript:alert(1)", "ScriptUrl")]
    [InlineData("//evil.example/a.js", "ScriptUrl")]
    public void A_bad_amplitude_script_url_fails(string url, string key)
    {
        var ex = Fails(p =>
        {
            p.Amplitude.ScriptUrl = url;
            p.Amplitude.ApiKey = "0123456789abcdef0123456789abcdef";
        });

        Assert.Contains($"{Section}:Amplitude:{key} must be", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_amplitude_server_url_fails()
    {
        var ex = Fails(p => p.Amplitude.ServerUrl = "javascript:alert(1)");

        Assert.Contains($"{Section}:Amplitude:ServerUrl must be", ex.Message, StringComparison.Ordinal);
    }

    // ---- GA4 ----

    [Theory]
    [InlineData("UA-123")]
    [InlineData("G-")]
    [InlineData("G-ABC 123")]
    [InlineData("g-ABC123")]
    [InlineData("G-ABC\"123")]
    public void A_measurement_id_that_is_not_g_and_letters_or_digits_fails(string id)
    {
        var ex = Fails(p => p.GoogleAnalytics.MeasurementId = id);

        Assert.Contains($"{Section}:GoogleAnalytics:MeasurementId", ex.Message, StringComparison.Ordinal);
        Assert.Contains(id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_g4_measurement_id_passes()
    {
        var options = Resolve(p => p.GoogleAnalytics.MeasurementId = "G-ABC123");

        Assert.Equal("G-ABC123", options.Providers.GoogleAnalytics.MeasurementId);
    }

    [Fact]
    public void A_bad_gtag_script_url_fails()
    {
        var ex = Fails(p =>
        {
            p.GoogleAnalytics.MeasurementId = "G-ABC123";
            p.GoogleAnalytics.ScriptUrl = "javascript:alert(1)";
        });

        Assert.Contains($"{Section}:GoogleAnalytics:ScriptUrl", ex.Message, StringComparison.Ordinal);
    }

    // ---- Matomo ----

    [Fact]
    public void A_matomo_url_without_a_trailing_slash_fails()
    {
        var ex = Fails(p =>
        {
            p.Matomo.Url = "https://stats.shop.example";
            p.Matomo.SiteId = "3";
        });

        Assert.Contains($"{Section}:Matomo:Url must end with '/'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matomo_url_without_a_site_id_fails()
    {
        var ex = Fails(p => p.Matomo.Url = "https://stats.shop.example/");

        Assert.Contains($"{Section}:Matomo:SiteId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_matomo_site_id_without_a_url_fails()
    {
        var ex = Fails(p => p.Matomo.SiteId = "3");

        Assert.Contains($"{Section}:Matomo:Url", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_javascript_matomo_url_fails()
    {
        var ex = Fails(p =>
        {
            p.Matomo.Url = "javascript:alert(1)//";
            p.Matomo.SiteId = "3";
        });

        Assert.Contains($"{Section}:Matomo:Url must be an absolute http(s) URL", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://stats.shop.example/")]
    [InlineData("/matomo/")]
    public void A_matomo_url_and_site_id_pass(string url)
        => Passes(p =>
        {
            p.Matomo.Url = url;
            p.Matomo.SiteId = "3";
        });

    // ---- Clarity ----

    [Theory]
    [InlineData("abc-1")]
    [InlineData("abc 1")]
    [InlineData("abc/1")]
    public void A_clarity_project_id_that_is_not_letters_and_digits_fails(string id)
    {
        var ex = Fails(p => p.Clarity.ProjectId = id);

        Assert.Contains($"{Section}:Clarity:ProjectId", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clarity_project_id_of_letters_and_digits_passes()
        => Passes(p => p.Clarity.ProjectId = "abc123xyz");

    [Fact]
    public void A_bad_clarity_script_url_fails()
    {
        var ex = Fails(p =>
        {
            p.Clarity.ProjectId = "abc123";
            p.Clarity.ScriptUrl = "//evil.example/tag/";
        });

        Assert.Contains($"{Section}:Clarity:ScriptUrl", ex.Message, StringComparison.Ordinal);
    }

    // ---- Plausible ----

    [Theory]
    [InlineData("not a host")]
    [InlineData("https://shop.example")]
    [InlineData("shop.example/path")]
    public void A_plausible_domain_that_is_not_a_host_fails(string domain)
    {
        var ex = Fails(p => p.Plausible.Domain = domain);

        Assert.Contains($"{Section}:Plausible:Domain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plausible_host_passes()
        => Passes(p => p.Plausible.Domain = "shop.example");

    [Fact]
    public void A_bad_plausible_script_url_fails()
    {
        var ex = Fails(p =>
        {
            p.Plausible.Domain = "shop.example";
            p.Plausible.ScriptUrl = "javascript:alert(1)";
        });

        Assert.Contains($"{Section}:Plausible:ScriptUrl", ex.Message, StringComparison.Ordinal);
    }

    // ---- all at once, at startup ----

    [Fact]
    public void Every_failure_is_reported_at_once()
    {
        var ex = Fails(p =>
        {
            p.Snowplow.ScriptUrl = "/js/sp.js";
            p.GoogleAnalytics.MeasurementId = "UA-1";
            p.Clarity.ProjectId = "a-b";
            p.Plausible.Domain = "not a host";
        });

        Assert.Contains($"{Section}:Snowplow:CollectorUrl", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Section}:GoogleAnalytics:MeasurementId", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Section}:Clarity:ProjectId", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Section}:Plausible:Domain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bound_configuration_fails_at_host_start()
    {
        using var host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{Section}:Matomo:Url"] = "https://stats.shop.example",
                [$"{Section}:Matomo:SiteId"] = "3",
            }))
            .ConfigureServices((context, services) =>
            {
                services.AddFirstParty(context.Configuration.GetSection(FirstPartyOptions.SectionName));
                TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
            })
            .Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains($"{Section}:Matomo:Url must end with '/'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bound_configuration_with_every_snippet_starts()
    {
        using var host = new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                [$"{Section}:Snowplow:ScriptUrl"] = "/sdk/sp.js",
                [$"{Section}:Snowplow:CollectorUrl"] = "/collector",
                [$"{Section}:Snowplow:Settings:bufferSize"] = "1",
                [$"{Section}:Amplitude:ScriptUrl"] = "https://cdn.shop.example/amplitude.js",
                [$"{Section}:Amplitude:ApiKey"] = "0123456789abcdef0123456789abcdef",
                [$"{Section}:GoogleAnalytics:MeasurementId"] = "G-ABC123",
                [$"{Section}:Matomo:Url"] = "https://stats.shop.example/",
                [$"{Section}:Matomo:SiteId"] = "3",
                [$"{Section}:Clarity:ProjectId"] = "abc123",
                [$"{Section}:Plausible:Domain"] = "shop.example",
            }))
            .ConfigureServices((context, services) =>
            {
                services.AddFirstParty(context.Configuration.GetSection(FirstPartyOptions.SectionName));
                TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
            })
            .Build();

        await host.StartAsync();
        await host.StopAsync();

        var providers = host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Providers;
        Assert.Equal("1", providers.Snowplow.Settings["bufferSize"]);
        Assert.Equal("abc123", providers.Clarity.ProjectId);
    }
}
