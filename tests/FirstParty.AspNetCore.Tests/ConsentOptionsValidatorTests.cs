using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Startup validation of <c>FirstParty:Consent</c> and <c>FirstParty:Endpoints</c>.</summary>
public sealed class ConsentOptionsValidatorTests
{
    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> configuration) => OptionsHost.Build(configuration);

    private static Task<OptionsValidationException> AssertStartFailsAsync(params (string Key, string? Value)[] settings)
        => OptionsHost.AssertStartFailsAsync(settings);

    private static async Task<FirstPartyOptions> StartAsync(params (string Key, string? Value)[] settings)
    {
        using var host = BuildHost(settings.Select(s => KeyValuePair.Create(s.Key, s.Value)));
        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value;
        await host.StopAsync();
        return options;
    }

    [Fact]
    public async Task A_full_consent_configuration_starts_and_is_bound()
    {
        var options = await StartAsync(
            ("FirstParty:Consent:CookieName", "consent"),
            ("FirstParty:Consent:Regime", "OptOut"),
            ("FirstParty:Consent:Revision", "3"),
            ("FirstParty:Consent:AcceptLifetime", "400.00:00:00"),
            ("FirstParty:Consent:RefusalLifetime", "30.00:00:00"),
            ("FirstParty:Consent:HonorGlobalPrivacyControl", "false"),
            ("FirstParty:Consent:HonorDoNotTrack", "true"),
            ("FirstParty:Consent:RegionHeader", "CloudFront-Viewer-Country"),
            ("FirstParty:Consent:SubdivisionHeader", "CloudFront-Viewer-Country-Region"),
            ("FirstParty:Consent:Regions:EEA", "OptIn"),
            ("FirstParty:Consent:Regions:GB", "OptIn"),
            ("FirstParty:Consent:Regions:US-CA", "OptOut"),
            ("FirstParty:Consent:Regions:*", "Implied"),
            ("FirstParty:Consent:Categories:0:Key", "essential"),
            ("FirstParty:Consent:Categories:0:Required", "true"),
            ("FirstParty:Consent:Categories:1:Key", "stats"),
            ("FirstParty:Consent:Categories:2:Key", "ads"),
            ("FirstParty:Consent:Categories:2:SaleOrSharing", "true"),
            ("FirstParty:Visitor:Category", "stats"),
            ("FirstParty:Endpoints:PathPrefix", "/privacy/_fp"),
            ("FirstParty:Endpoints:GlobalPrivacyControlLastUpdate", "2025-12-01"));

        var consent = options.Consent;
        Assert.Equal("consent", consent.CookieName);
        Assert.Equal(ConsentRegime.OptOut, consent.Regime);
        Assert.Equal(3, consent.Revision);
        Assert.Equal(TimeSpan.FromDays(400), consent.AcceptLifetime);
        Assert.Equal(TimeSpan.FromDays(30), consent.RefusalLifetime);
        Assert.False(consent.HonorGlobalPrivacyControl);
        Assert.True(consent.HonorDoNotTrack);
        Assert.Equal("CloudFront-Viewer-Country", consent.RegionHeader);
        Assert.Equal(ConsentRegime.OptOut, consent.Regions["US-CA"]);
        Assert.Equal(ConsentRegime.Implied, consent.Regions["*"]);
        Assert.Equal(4, consent.Regions.Count);
        Assert.Equal(["essential", "stats", "ads"], consent.Categories!.Select(c => c.Key));
        Assert.True(consent.Categories![2].SaleOrSharing);
        Assert.Equal("/privacy/_fp", options.Endpoints.PathPrefix);
        Assert.Equal(new DateOnly(2025, 12, 1), options.Endpoints.GlobalPrivacyControlLastUpdate);
    }

    [Fact]
    public async Task The_consent_defaults_match_the_documented_ones()
    {
        var consent = (await StartAsync()).Consent;
        Assert.Equal("_fp_consent", consent.CookieName);
        Assert.Equal(ConsentRegime.OptIn, consent.Regime);
        Assert.Equal(1, consent.Revision);
        Assert.Equal(TimeSpan.FromDays(395), consent.AcceptLifetime);
        Assert.Equal(TimeSpan.FromDays(182), consent.RefusalLifetime);
        Assert.True(consent.HonorGlobalPrivacyControl);
        Assert.False(consent.HonorDoNotTrack);
        Assert.Null(consent.RegionHeader);
        Assert.Empty(consent.Regions);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    public async Task A_revision_below_1_fails(string revision)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Consent:Revision", revision));
        Assert.Contains("FirstParty:Consent:Revision", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AcceptLifetime", "401.00:00:00")]
    [InlineData("AcceptLifetime", "00:00:00")]
    [InlineData("RefusalLifetime", "401.00:00:00")]
    [InlineData("RefusalLifetime", "-1.00:00:00")]
    public async Task A_consent_lifetime_outside_0_to_400_days_fails(string key, string value)
    {
        var ex = await AssertStartFailsAsync(($"FirstParty:Consent:{key}", value));
        Assert.Contains($"FirstParty:Consent:{key}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("400 days", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("XYZ")]
    [InlineData("fr")]
    [InlineData("US_CA")]
    [InlineData("US-TOOLONG")]
    [InlineData("eea")]
    [InlineData("Europe")]
    public async Task A_region_key_that_is_not_a_region_fails(string region)
    {
        var ex = await AssertStartFailsAsync(($"FirstParty:Consent:Regions:{region}", "OptIn"));
        Assert.Contains($"FirstParty:Consent:Regions:{region}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_region_regime_that_is_not_a_regime_fails_at_startup_naming_the_key()
    {
        // A typo in a regime must not silently drop the region (California would fall back to the
        // default regime without anyone noticing).
        using var host = BuildHost(
        [
            KeyValuePair.Create<string, string?>("FirstParty:Consent:Regions:US-CA", "Bogus"),
            KeyValuePair.Create<string, string?>("FirstParty:Consent:Regions:EEA", "OptIn"),
        ]);
        Exception? failure = null;
        try
        {
            await host.StartAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or OptionsValidationException)
        {
            failure = ex;
        }

        var bound = failure is null
            ? string.Join(", ", host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Consent.Regions.Select(r => $"{r.Key}={r.Value}"))
            : string.Empty;
        Assert.True(failure is not null, $"The host started; FirstParty:Consent:Regions was bound as {{{bound}}}.");
        Assert.Contains("FirstParty:Consent:Regions:US-CA", failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_regime_that_is_not_a_regime_fails_at_startup_naming_the_key()
    {
        using var host = BuildHost([KeyValuePair.Create<string, string?>("FirstParty:Consent:Regime", "Strict")]);
        var ex = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("FirstParty:Consent:Regime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Duplicate_category_keys_fail()
    {
        var ex = await AssertStartFailsAsync(
            ("FirstParty:Consent:Categories:0:Key", "necessary"),
            ("FirstParty:Consent:Categories:0:Required", "true"),
            ("FirstParty:Consent:Categories:1:Key", "analytics"),
            ("FirstParty:Consent:Categories:2:Key", "analytics"));
        Assert.Contains("FirstParty:Consent:Categories:2:Key", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than once", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Failures);
    }

    [Theory]
    [InlineData("Analytics")]
    [InlineData("ana lytics")]
    [InlineData("a.b")]
    [InlineData("a+b")]
    public async Task A_category_key_that_is_not_a_lowercase_key_fails(string key)
    {
        var ex = await AssertStartFailsAsync(
            ("FirstParty:Consent:Categories:0:Key", "necessary"),
            ("FirstParty:Consent:Categories:0:Required", "true"),
            ("FirstParty:Consent:Categories:1:Key", "analytics"),
            ("FirstParty:Consent:Categories:2:Key", key));
        Assert.Contains("FirstParty:Consent:Categories:2:Key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Categories_without_a_required_one_fail()
    {
        var ex = await AssertStartFailsAsync(
            ("FirstParty:Consent:Categories:0:Key", "analytics"),
            ("FirstParty:Consent:Categories:1:Key", "marketing"));
        Assert.Contains("FirstParty:Consent:Categories must contain a required category", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Failures);
    }

    [Fact]
    public async Task A_visitor_category_that_is_not_a_consent_category_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:Category", "statistics"));
        Assert.Contains("FirstParty:Visitor:Category 'statistics'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Consent:Categories", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_fp_id")]
    [InlineData("_fp_ses")]
    public async Task A_consent_cookie_name_equal_to_a_visitor_cookie_name_fails(string name)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Consent:CookieName", name));
        Assert.Contains("FirstParty:Consent:CookieName must differ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fp consent")]
    [InlineData("")]
    public async Task A_consent_cookie_name_that_is_not_a_token_fails(string name)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Consent:CookieName", name));
        Assert.Contains("FirstParty:Consent:CookieName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP token", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RegionHeader")]
    [InlineData("SubdivisionHeader")]
    public async Task A_region_header_that_is_not_a_header_name_fails(string key)
    {
        var ex = await AssertStartFailsAsync(($"FirstParty:Consent:{key}", "X Region"));
        Assert.Contains($"FirstParty:Consent:{key}", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fp/")]
    [InlineData("fp")]
    [InlineData("/fp/")]
    [InlineData("/")]
    [InlineData("//fp")]
    [InlineData("/f p")]
    [InlineData("/fp?x")]
    [InlineData("/{fp}")]
    public async Task A_path_prefix_that_is_not_a_path_fails(string prefix)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Endpoints:PathPrefix", prefix));
        Assert.Contains("FirstParty:Endpoints:PathPrefix", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Failures);
    }

    [Fact]
    public async Task An_empty_path_prefix_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Endpoints:PathPrefix", string.Empty));
        Assert.Contains("FirstParty:Endpoints:PathPrefix", ex.Message, StringComparison.Ordinal);
    }

    // ---- configurations the validator accepts must work ---------------------------------------

    /// <summary>
    /// Every configuration that starts must be able to record an accept-all that is read back on
    /// the next request; otherwise the validator must stop it naming FirstParty:Consent:Categories.
    /// </summary>
    private static async Task AssertAcceptAllIsRememberedOrStartupFailsAsync(string[] keys, bool mustStart = false)
    {
        void Configure(TestAppOptions o)
        {
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
            for (var i = 0; i < keys.Length; i++)
            {
                o.Configuration[$"FirstParty:Consent:Categories:{i + 2}:Key"] = keys[i];
            }
        }

        TestApp app;
        try
        {
            app = await StartConsentAppAsync(configure: Configure);
        }
        catch (OptionsValidationException ex) when (!mustStart)
        {
            Assert.Contains("FirstParty:Consent:Categories", ex.Message, StringComparison.Ordinal);
            return;
        }

        await using (app)
        {
            var jar = new CookieJar();
            var response = await app.ChooseAsync(jar, "accept-all");
            Assert.Equal(HttpStatusCode.SeeOther, response.Status);

            var state = (await app.GetStateAsync(jar)).Json();
            Assert.True(state.GetProperty("decided").GetBoolean(), "the accept-all decision was not read back");
            Assert.All(state.Categories(), c => Assert.True(c.Value, c.Key));
        }
    }

    [Fact]
    public async Task More_than_64_categories_either_fail_at_startup_or_work()
        => await AssertAcceptAllIsRememberedOrStartupFailsAsync([.. Enumerable.Range(0, 63).Select(i => $"c{i}")]);

    [Fact]
    public async Task Categories_too_long_for_the_consent_cookie_either_fail_at_startup_or_work()
        => await AssertAcceptAllIsRememberedOrStartupFailsAsync([.. Enumerable.Range(0, 8).Select(i => $"{i}{new string('k', 60)}")]);

    [Fact]
    public async Task Sixty_four_short_categories_start_and_work()
        => await AssertAcceptAllIsRememberedOrStartupFailsAsync([.. Enumerable.Range(0, 62).Select(i => $"c{i}")], mustStart: true);

    [Fact]
    public async Task Services_too_long_for_the_consent_cookie_either_fail_at_startup_or_work()
    {
        // Twenty embeds with ordinary keys ("marketing/provider-07-video"): a custom choice of all of
        // them must fit the consent cookie, or the configuration must be refused at startup.
        var services = Enumerable.Range(0, 20).Select(i => $"provider-{i:00}-video").ToArray();
        void Configure(TestAppOptions o)
        {
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
            o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
            for (var i = 0; i < services.Length; i++)
            {
                o.Configuration[$"FirstParty:Consent:Categories:2:Services:{i}:Key"] = services[i];
            }
        }

        TestApp app;
        try
        {
            app = await StartConsentAppAsync(configure: Configure);
        }
        catch (OptionsValidationException ex)
        {
            Assert.Contains("FirstParty:Consent:Categories", ex.Message, StringComparison.Ordinal);
            return;
        }

        await using (app)
        {
            var jar = new CookieJar();
            var response = await app.PostFormAsync(jar, [new("choice", "custom"), .. services.Select(s => new KeyValuePair<string, string>("service", $"marketing/{s}"))]);
            Assert.Equal(HttpStatusCode.SeeOther, response.Status);
            Assert.True((await app.ProbeAsync(jar)).Consent.GetProperty("decided").GetBoolean(), "the custom decision was not read back");
        }
    }
}
