using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests;

public sealed class FirstPartyOptionsValidatorTests
{
    private static IHost BuildHost(IEnumerable<KeyValuePair<string, string?>> configuration) => OptionsHost.Build(configuration);

    private static Task<OptionsValidationException> AssertStartFailsAsync(params (string Key, string? Value)[] settings)
        => OptionsHost.AssertStartFailsAsync(settings);

    [Fact]
    public async Task A_valid_configuration_starts_and_is_bound()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["FirstParty:Visitor:CookieName"] = "vid",
            ["FirstParty:Visitor:Lifetime"] = "200.00:00:00",
            ["FirstParty:Visitor:ExpirationMode"] = "Fixed",
            ["FirstParty:Session:CookieName"] = "sid",
            ["FirstParty:Session:Timeout"] = "00:45:00",
            ["FirstParty:Cookies:Domain"] = "example.com",
            ["FirstParty:Cookies:SameSite"] = "Strict",
        });

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value;
        await host.StopAsync();

        Assert.Equal("vid", options.Visitor.CookieName);
        Assert.Equal(TimeSpan.FromDays(200), options.Visitor.Lifetime);
        Assert.Equal(VisitorExpirationMode.Fixed, options.Visitor.ExpirationMode);
        Assert.Equal("sid", options.Session.CookieName);
        Assert.Equal(TimeSpan.FromMinutes(45), options.Session.Timeout);
        Assert.Equal("example.com", options.Cookies.Domain);
        Assert.Equal(SameSiteMode.Strict, options.Cookies.SameSite);
    }

    [Fact]
    public async Task The_defaults_start()
    {
        using var host = BuildHost([]);
        await host.StartAsync();
        await host.StopAsync();
        Assert.Equal("_fp_id", host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Visitor.CookieName);
    }

    [Fact]
    public async Task Host_prefixed_names_with_secure_always_and_no_domain_start()
    {
        using var host = BuildHost(new Dictionary<string, string?>
        {
            ["FirstParty:Visitor:CookieName"] = "__Host-fp_id",
            ["FirstParty:Session:CookieName"] = "__Secure-fp_ses",
            ["FirstParty:Cookies:Secure"] = "Always",
            ["FirstParty:Cookies:SameSite"] = "None",
        });
        await host.StartAsync();
        await host.StopAsync();
    }

    [Fact]
    public async Task A_visitor_lifetime_of_500_days_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:Lifetime", "500.00:00:00"));
        Assert.Contains("FirstParty:Visitor:Lifetime", ex.Message, StringComparison.Ordinal);
        Assert.Contains("400 days", ex.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(FirstPartyOptions), ex.OptionsType);
    }

    [Fact]
    public async Task A_zero_visitor_lifetime_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:Lifetime", "00:00:00"));
        Assert.Contains("FirstParty:Visitor:Lifetime", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:01:00")]
    public async Task A_link_replay_store_timeout_out_of_range_fails(string timeout)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Linking:ReplayStoreTimeout", timeout));
        Assert.Contains("FirstParty:Linking:ReplayStoreTimeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zero_session_timeout_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Session:Timeout", "00:00:00"));
        Assert.Contains("FirstParty:Session:Timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_refresh_interval_not_shorter_than_the_timeout_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Session:Timeout", "00:10:00"), ("FirstParty:Session:RefreshInterval", "00:10:00"));
        Assert.Contains("FirstParty:Session:RefreshInterval", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("FirstParty:Session:Timeout must", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_visitor_refresh_interval_not_shorter_than_the_lifetime_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:Lifetime", "1.00:00:00"), ("FirstParty:Visitor:RefreshInterval", "2.00:00:00"));
        Assert.Contains("FirstParty:Visitor:RefreshInterval", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FirstParty:Visitor:CookieName", "_fp id")]
    [InlineData("FirstParty:Visitor:CookieName", "fp;id")]
    [InlineData("FirstParty:Visitor:CookieName", "fp=id")]
    [InlineData("FirstParty:Visitor:CookieName", "fp\"id")]
    [InlineData("FirstParty:Visitor:CookieName", "fpé")]
    [InlineData("FirstParty:Visitor:CookieName", "")]
    [InlineData("FirstParty:Session:CookieName", "_fp ses")]
    public async Task A_cookie_name_that_is_not_a_token_fails(string key, string value)
    {
        var ex = await AssertStartFailsAsync((key, value));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains("HTTP token", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_host_prefixed_name_with_a_domain_fails()
    {
        var ex = await AssertStartFailsAsync(
            ("FirstParty:Visitor:CookieName", "__Host-fp_id"),
            ("FirstParty:Cookies:Domain", "example.com"),
            ("FirstParty:Cookies:Secure", "Always"));
        Assert.Contains("FirstParty:Visitor:CookieName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Cookies:Domain", ex.Message, StringComparison.Ordinal);
        Assert.Single(ex.Failures);
    }

    [Fact]
    public async Task A_host_prefixed_name_without_secure_always_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Session:CookieName", "__Host-fp_ses"));
        Assert.Contains("FirstParty:Session:CookieName", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Cookies:Secure", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secure_prefixed_name_without_secure_always_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:CookieName", "__Secure-fp_id"), ("FirstParty:Cookies:Secure", "SameAsRequest"));
        Assert.Contains("__Secure-", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Cookies:Secure", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SameAsRequest")]
    [InlineData("None")]
    public async Task SameSite_none_without_secure_always_fails(string secure)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Cookies:SameSite", "None"), ("FirstParty:Cookies:Secure", secure));
        Assert.Contains("FirstParty:Cookies:SameSite", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Cookies:Secure", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identical_visitor_and_session_names_fail()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:CookieName", "fp"), ("FirstParty:Session:CookieName", "fp"));
        Assert.Contains("FirstParty:Visitor:CookieName and FirstParty:Session:CookieName must differ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_public_suffix_list_file_fails()
    {
        var path = Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.dat");
        var ex = await AssertStartFailsAsync(("FirstParty:Cookies:PublicSuffixListPath", path));
        Assert.Contains("FirstParty:Cookies:PublicSuffixListPath", ex.Message, StringComparison.Ordinal);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_public_suffix_list_file_without_rules_fails_and_one_with_rules_starts()
    {
        var path = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(path, "// only comments\n\n");
            var ex = await AssertStartFailsAsync(("FirstParty:Cookies:PublicSuffixListPath", path));
            Assert.Contains("no public suffix rules", ex.Message, StringComparison.Ordinal);

            await File.WriteAllTextAsync(path, "com\nco.uk\n");
            using var host = BuildHost([KeyValuePair.Create<string, string?>("FirstParty:Cookies:PublicSuffixListPath", path)]);
            await host.StartAsync();
            await host.StopAsync();
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("https://example.com")]
    [InlineData("example.com:8080")]
    [InlineData("example.com/path")]
    [InlineData("exa mple.com")]
    [InlineData("a..com")]
    [InlineData("127.0.0.1")]
    public async Task An_invalid_domain_fails(string domain)
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Cookies:Domain", domain));
        Assert.Contains("FirstParty:Cookies:Domain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_uppercase_category_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:Category", "Analytics"));
        Assert.Contains("FirstParty:Visitor:Category", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_blank_crawler_pattern_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:CrawlerUserAgents:0", "bot"), ("FirstParty:Visitor:CrawlerUserAgents:1", " "));
        Assert.Contains("FirstParty:Visitor:CrawlerUserAgents", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crawler_pattern_that_is_not_a_regular_expression_fails()
    {
        var ex = await AssertStartFailsAsync(("FirstParty:Visitor:CrawlerUserAgents:0", "Googlebot\\/"), ("FirstParty:Visitor:CrawlerUserAgents:1", "bot("));
        Assert.Contains("FirstParty:Visitor:CrawlerUserAgents:1", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("FirstParty:Visitor:CrawlerUserAgents:0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_failure_is_reported_at_once()
    {
        var ex = await AssertStartFailsAsync(
            ("FirstParty:Visitor:Lifetime", "500.00:00:00"),
            ("FirstParty:Session:CookieName", "bad name"));
        Assert.Contains("FirstParty:Visitor:Lifetime", ex.Message, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Session:CookieName", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lifetime_that_is_not_a_timespan_fails_naming_the_key()
    {
        using var host = BuildHost([KeyValuePair.Create<string, string?>("FirstParty:Visitor:Lifetime", "a long time")]);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("FirstParty:Visitor:Lifetime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_set_in_code_are_validated_too()
    {
        var validator = new FirstPartyOptionsValidator();

        Assert.True(validator.Validate(null, new FirstPartyOptions()).Succeeded);

        var invalidEnums = new FirstPartyOptions
        {
            Visitor = { ExpirationMode = (VisitorExpirationMode)7 },
            Cookies = { SameSite = (SameSiteMode)9, Secure = (CookieSecurePolicy)9 },
        };
        var result = validator.Validate(null, invalidEnums);
        Assert.True(result.Failed);
        Assert.Contains("FirstParty:Visitor:ExpirationMode", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Cookies:SameSite", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Cookies:Secure", result.FailureMessage, StringComparison.Ordinal);

        var nulls = new FirstPartyOptions { Visitor = null!, Events = null! };
        Assert.True(validator.Validate(null, nulls).Failed);

        var nullName = new FirstPartyOptions { Session = { CookieName = null! } };
        Assert.Contains("FirstParty:Session:CookieName", validator.Validate(null, nullName).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_configured_in_code_are_validated_at_startup()
    {
        using var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddFirstParty(o => o.Session.Timeout = TimeSpan.FromDays(401));
                TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
            })
            .Build();
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains("FirstParty:Session:Timeout", ex.Message, StringComparison.Ordinal);
    }
}
