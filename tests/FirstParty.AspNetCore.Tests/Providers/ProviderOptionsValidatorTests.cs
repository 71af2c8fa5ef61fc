using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>Startup validation of the enabled provider profiles, naming each configuration key.</summary>
public sealed class ProviderOptionsValidatorTests
{
    private const string Section = "FirstParty:Providers";

    private static IHost Build(Action<IFirstPartyBuilder> add, params (string Key, string? Value)[] settings)
        => new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, s.Value))))
            .ConfigureServices((context, services) =>
            {
                add(services.AddFirstParty(context.Configuration.GetSection(FirstPartyOptions.SectionName)));
                TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
            })
            .Build();

    private static async Task<OptionsValidationException> AssertStartFailsAsync(Action<IFirstPartyBuilder> add, params (string Key, string? Value)[] settings)
    {
        using var host = Build(add, settings);
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Equal(typeof(FirstPartyOptions), ex.OptionsType);
        return ex;
    }

    private static async Task<IServiceProvider> AssertStartsAsync(IHost host)
    {
        await host.StartAsync();
        await host.StopAsync();
        return host.Services;
    }

    private static void All(IFirstPartyBuilder b) => b.AddSnowplow().AddAmplitude().AddGoogleAnalytics();

    [Fact]
    public async Task All_three_profiles_with_an_api_key_start_with_their_defaults()
    {
        using var host = Build(All, ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey));

        var services = await AssertStartsAsync(host);

        var profiles = services.GetServices<ProviderProfile>().ToList();
        Assert.Equal(["snowplow", "amplitude", "google-analytics"], profiles.Select(p => p.ServiceKey));
        Assert.Equal(3, services.GetRequiredService<ProviderMirrors>().Profiles.Count);
        var options = services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Providers;
        Assert.Equal(ProviderTestSupport.ApiKey, options.Amplitude.ApiKey);
        Assert.Equal("_sp_", options.Snowplow.CookieNamePrefix);
    }

    [Fact]
    public async Task Without_a_profile_nothing_is_written()
    {
        using var host = Build(_ => { });

        var services = await AssertStartsAsync(host);

        Assert.Empty(services.GetServices<ProviderProfile>());
        Assert.False(services.GetRequiredService<ProviderMirrors>().Enabled);
    }

    [Fact]
    public async Task A_missing_amplitude_api_key_fails_naming_the_key()
    {
        var ex = await AssertStartFailsAsync(b => b.AddAmplitude());

        Assert.Contains($"{Section}:Amplitude:ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_eight_character_key_fails_for_analytics_browser()
    {
        var ex = await AssertStartFailsAsync(b => b.AddAmplitude(), ($"{Section}:Amplitude:ApiKey", "abcd1234"));

        Assert.Contains($"{Section}:Amplitude:ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains("10", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_eight_character_key_starts_for_amplitude_js()
    {
        using var host = Build(b => b.AddAmplitude(), ($"{Section}:Amplitude:ApiKey", "abcd1234"), ($"{Section}:Amplitude:Sdk", "AmplitudeJs"));

        var services = await AssertStartsAsync(host);

        var profile = Assert.IsType<AmplitudeProfile>(Assert.Single(services.GetServices<ProviderProfile>()));
        Assert.Equal("amp_abcd12", profile.CookieName);
    }

    [Theory]
    [InlineData("abcd-1234-efgh-5678")]
    [InlineData("abcd1234ef gh")]
    [InlineData("abcd1234ef;x")]
    public async Task A_key_with_other_characters_fails(string key)
    {
        var ex = await AssertStartFailsAsync(b => b.AddAmplitude(), ($"{Section}:Amplitude:ApiKey", key));

        Assert.Contains($"{Section}:Amplitude:ApiKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_set_in_code_starts()
    {
        using var host = Build(b => b.AddAmplitude(o => o.ApiKey = ProviderTestSupport.ApiKey));

        var services = await AssertStartsAsync(host);

        Assert.Equal("AMP_0123456789", Assert.IsType<AmplitudeProfile>(Assert.Single(services.GetServices<ProviderProfile>())).CookieName);
    }

    [Theory]
    [InlineData("a b")]
    [InlineData("sp;")]
    [InlineData("sp=")]
    public async Task A_snowplow_prefix_that_is_not_a_token_fails(string prefix)
    {
        var ex = await AssertStartFailsAsync(b => b.AddSnowplow(), ($"{Section}:Snowplow:CookieNamePrefix", prefix));

        Assert.Contains($"{Section}:Snowplow:CookieNamePrefix", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snowplow_cookie_domain_that_is_not_a_host_name_fails()
    {
        var ex = await AssertStartFailsAsync(b => b.AddSnowplow(), ($"{Section}:Snowplow:CookieDomain", "exa mple"));

        Assert.Contains($"{Section}:Snowplow:CookieDomain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dotted_snowplow_cookie_domain_starts()
    {
        using var host = Build(b => b.AddSnowplow(), ($"{Section}:Snowplow:CookieDomain", ".example.com"));

        var services = await AssertStartsAsync(host);

        Assert.Equal(".example.com", services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Providers.Snowplow.CookieDomain);
    }

    [Fact]
    public async Task Snowplow_same_site_none_without_secure_fails()
    {
        var ex = await AssertStartFailsAsync(
            b => b.AddSnowplow(),
            ($"{Section}:Snowplow:SameSite", "None"),
            ($"{Section}:Snowplow:Secure", "false"));

        Assert.Contains($"{Section}:Snowplow:SameSite", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Section}:Snowplow:Secure", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snowplow_same_site_none_with_secure_starts()
    {
        using var host = Build(b => b.AddSnowplow(), ($"{Section}:Snowplow:SameSite", "None"));

        await AssertStartsAsync(host);
    }

    [Fact]
    public async Task An_unknown_snowplow_same_site_fails()
    {
        var ex = await AssertStartFailsAsync(b => b.AddSnowplow(), ($"{Section}:Snowplow:SameSite", "Sometimes"));

        Assert.Contains($"{Section}:Snowplow:SameSite", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Snowplow")]
    [InlineData("Amplitude")]
    [InlineData("GoogleAnalytics")]
    public async Task An_unknown_category_fails_naming_the_key(string provider)
    {
        var ex = await AssertStartFailsAsync(
            All,
            ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey),
            ($"{Section}:{provider}:Category", "stats"));

        Assert.Contains($"{Section}:{provider}:Category", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'stats'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configured_category_is_accepted()
    {
        using var host = Build(
            b => b.AddSnowplow(),
            ("FirstParty:Consent:Categories:0:Key", "necessary"),
            ("FirstParty:Consent:Categories:0:Required", "true"),
            ("FirstParty:Consent:Categories:1:Key", "analytics"),
            ("FirstParty:Consent:Categories:2:Key", "stats"),
            ($"{Section}:Snowplow:Category", "stats"));

        var services = await AssertStartsAsync(host);

        Assert.Equal("stats", Assert.Single(services.GetServices<ProviderProfile>()).Category);
    }

    [Fact]
    public async Task A_google_analytics_lifetime_of_500_days_fails()
    {
        var ex = await AssertStartFailsAsync(b => b.AddGoogleAnalytics(), ($"{Section}:GoogleAnalytics:Lifetime", "500.00:00:00"));

        Assert.Contains($"{Section}:GoogleAnalytics:Lifetime", ex.Message, StringComparison.Ordinal);
        Assert.Contains("400 days", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_amplitude_lifetime_of_500_days_fails()
    {
        var ex = await AssertStartFailsAsync(
            b => b.AddAmplitude(),
            ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey),
            ($"{Section}:Amplitude:Lifetime", "500.00:00:00"));

        Assert.Contains($"{Section}:Amplitude:Lifetime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_snowplow_two_year_lifetime_is_accepted_but_zero_fails()
    {
        using (var host = Build(b => b.AddSnowplow(), ($"{Section}:Snowplow:Lifetime", "730.00:00:00")))
        {
            await AssertStartsAsync(host);
        }

        var ex = await AssertStartFailsAsync(b => b.AddSnowplow(), ($"{Section}:Snowplow:Lifetime", "00:00:00"));
        Assert.Contains($"{Section}:Snowplow:Lifetime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snowplow_session_timeout_over_a_day_fails()
    {
        var ex = await AssertStartFailsAsync(b => b.AddSnowplow(), ($"{Section}:Snowplow:SessionTimeout", "2.00:00:00"));

        Assert.Contains($"{Section}:Snowplow:SessionTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_that_is_not_added_is_not_validated()
    {
        using var host = Build(
            b => b.AddSnowplow(),
            ($"{Section}:Amplitude:ApiKey", "bad"),
            ($"{Section}:GoogleAnalytics:Lifetime", "500.00:00:00"));

        var services = await AssertStartsAsync(host);

        Assert.IsType<SnowplowProfile>(Assert.Single(services.GetServices<ProviderProfile>()));
    }

    [Fact]
    public async Task Every_failure_is_reported_at_once()
    {
        var ex = await AssertStartFailsAsync(
            All,
            ($"{Section}:Snowplow:CookieNamePrefix", "a b"),
            ($"{Section}:GoogleAnalytics:Lifetime", "500.00:00:00"));

        Assert.Contains($"{Section}:Amplitude:ApiKey", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Section}:Snowplow:CookieNamePrefix", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{Section}:GoogleAnalytics:Lifetime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Adding_a_profile_twice_registers_it_once_and_both_configure()
    {
        using var host = Build(b => b
            .AddSnowplow(o => o.CookieNamePrefix = "sp_")
            .AddSnowplow(o => o.SameSite = "Strict"));

        var services = await AssertStartsAsync(host);

        Assert.Single(services.GetServices<ProviderProfile>());
        Assert.Single(services.GetServices<ProviderProfileRegistration>());
        Assert.Single(services.GetRequiredService<ProviderMirrors>().Profiles);
        var snowplow = services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Providers.Snowplow;
        Assert.Equal("sp_", snowplow.CookieNamePrefix);
        Assert.Equal("Strict", snowplow.SameSite);
    }

    [Fact]
    public async Task Adding_a_profile_twice_validates_it_once()
    {
        var ex = await AssertStartFailsAsync(b => b.AddAmplitude().AddAmplitude());

        var message = $"{Section}:Amplitude:ApiKey";
        Assert.Single(ex.Failures, f => f.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("stateStorageStrategy", "localStorage")]
    [InlineData("stateStorageStrategy", "none")]
    [InlineData("anonymousTracking", "true")]
    public async Task A_snowplow_setting_that_keeps_no_cookie_fails_with_the_profile_naming_both(string setting, string value)
    {
        var ex = await AssertStartFailsAsync(b => b.AddSnowplow(), ($"{Section}:Snowplow:Settings:{setting}", value));

        Assert.Contains($"{Section}:Snowplow:Settings:{setting} is '{value}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("remove AddSnowplow()", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("identityStorage", "localStorage")]
    [InlineData("identityStorage", "none")]
    [InlineData("disableCookies", "true")]
    public async Task An_amplitude_setting_that_keeps_no_cookie_fails_with_the_profile_naming_both(string setting, string value)
    {
        var ex = await AssertStartFailsAsync(b => b.AddAmplitude(), ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey), ($"{Section}:Amplitude:Settings:{setting}", value));

        Assert.Contains($"{Section}:Amplitude:Settings:{setting} is '{value}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("remove AddAmplitude()", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Amplitude_js_storage_outside_cookies_fails_with_the_profile()
    {
        var ex = await AssertStartFailsAsync(
            b => b.AddAmplitude(),
            ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey),
            ($"{Section}:Amplitude:Sdk", "AmplitudeJs"),
            ($"{Section}:Amplitude:Settings:storage", "localStorage"));

        Assert.Contains($"{Section}:Amplitude:Settings:storage is 'localStorage'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cookie_keeping_settings_start_and_cookieless_ones_start_without_the_profile()
    {
        using var withProfiles = Build(
            All,
            ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey),
            ($"{Section}:Amplitude:Settings:identityStorage", "cookie"),
            ($"{Section}:Amplitude:Settings:disableCookies", "false"),
            ($"{Section}:Snowplow:Settings:stateStorageStrategy", "cookieAndLocalStorage"),
            ($"{Section}:Snowplow:Settings:anonymousTracking", "false"));
        await AssertStartsAsync(withProfiles);

        // The snippets alone may keep the SDKs off cookies: no profile writes any.
        using var snippetsOnly = Build(
            _ => { },
            ($"{Section}:Amplitude:ApiKey", ProviderTestSupport.ApiKey),
            ($"{Section}:Amplitude:Settings:identityStorage", "localStorage"),
            ($"{Section}:Snowplow:Settings:stateStorageStrategy", "localStorage"));
        await AssertStartsAsync(snippetsOnly);
    }
}
