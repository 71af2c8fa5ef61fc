using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// The Razor Pages sample's provider profiles (Snowplow, Amplitude analytics-browser, GA4) on
/// http://localhost: the SDKs' id cookies follow the server's visitor and its consent.
/// </summary>
public sealed class ProviderProfileSampleTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    // SHA-1("localhost/") starts with 1fff; the sample's Amplitude key starts with a1b2c3d4e5.
    private const string SnowplowId = "_sp_id.1fff";
    private const string SnowplowSession = "_sp_ses.1fff";
    private const string Amplitude = "AMP_a1b2c3d4e5";
    private const string GoogleAnalytics = "_ga";
    private static readonly string[] Mirrors = [SnowplowId, SnowplowSession, Amplitude, GoogleAnalytics];

    [Fact]
    public async Task Nothing_is_written_before_consent_under_OptIn()
    {
        var browser = SampleClient.Create(factory);

        var first = await browser.NavigateAsync("/");
        var second = await browser.NavigateAsync("/Menu");

        Assert.All(Mirrors, name => Assert.Null(first.Cookie(name)));
        Assert.All(Mirrors, name => Assert.Null(second.Cookie(name)));
    }

    [Fact]
    public async Task Accepting_writes_each_sdk_cookie_from_the_server_visitor_raw_and_readable_by_script()
    {
        var browser = SampleClient.Create(factory);

        var answer = await browser.ChooseAsync("accept-all", "/Menu");
        var visitorId = browser.Cookies.ContainsKey("_fp_id") ? await VisitorIdAsync(browser) : null;

        Assert.NotNull(visitorId);
        var snowplow = answer.Cookie(SnowplowId)!;
        var fields = snowplow.Value.ToString().Split('.');
        Assert.Equal(10, fields.Length);
        Assert.Equal(visitorId, fields[0]);
        Assert.Equal("localhost", snowplow.Domain.ToString());
        Assert.True(snowplow.Secure);
        Assert.Equal("*", answer.Cookie(SnowplowSession)!.Value.ToString());

        var amplitude = answer.Cookie(Amplitude)!;
        Assert.DoesNotContain('%', amplitude.Value.ToString());
        using var session = JsonDocument.Parse(Uri.UnescapeDataString(Encoding.ASCII.GetString(Convert.FromBase64String(amplitude.Value.ToString()))));
        Assert.Equal(visitorId, session.RootElement.GetProperty("deviceId").GetString());
        Assert.False(session.RootElement.TryGetProperty("sessionId", out _));

        Assert.Matches(@"^GA1\.1\.[1-9][0-9]{0,9}\.[0-9]+$", answer.Cookie(GoogleAnalytics)!.Value.ToString());
        Assert.All(Mirrors, name => Assert.False(answer.Cookie(name)!.HttpOnly, $"{name} must be readable by the SDK"));
    }

    [Fact]
    public async Task A_purged_sdk_cookie_comes_back_with_the_same_id_and_the_privacy_page_shows_the_ids()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all", "/Menu");
        var snowplow = browser.Cookies[SnowplowId];
        var amplitude = browser.Cookies[Amplitude];
        var ga = browser.Cookies[GoogleAnalytics];

        // Safari's seven-day rule (or the person) removes the script-visible cookies.
        foreach (var name in Mirrors)
        {
            browser.Cookies.Remove(name);
        }

        var page = await browser.NavigateAsync("/Privacy");

        Assert.Equal(snowplow.Split('.')[0], page.Cookie(SnowplowId)!.Value.ToString().Split('.')[0]);
        Assert.Equal(amplitude, page.Cookie(Amplitude)!.Value.ToString());
        Assert.Equal(ga, page.Cookie(GoogleAnalytics)!.Value.ToString());
        Assert.Equal(snowplow.Split('.')[0], page.Data("data-snowplow-id"));
        Assert.Equal(ga[6..], page.Data("data-ga-id"));
    }

    [Fact]
    public async Task An_sdk_cookie_that_exists_is_left_to_the_sdk_between_refreshes_and_its_id_is_the_one_reported()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all", "/Menu");

        // The tracker has moved on: more visits and events, in its own cookie.
        var tracked = "0b5c5c3e-3f4e-4a55-8d0b-6f1b5b7f0a11.1700000000.4.1700003600.1700000000.3c1e1f3a-0000-4000-8000-000000000001.3c1e1f3a-0000-4000-8000-000000000000.9b1e1f3a-0000-4000-8000-000000000002.1700003600123.7";
        browser.Cookies[SnowplowId] = tracked;
        var page = await browser.NavigateAsync("/Privacy");

        Assert.Null(page.Cookie(SnowplowId));
        Assert.Equal("0b5c5c3e-3f4e-4a55-8d0b-6f1b5b7f0a11", page.Data("data-snowplow-id"));
    }

    [Fact]
    public async Task Refusing_analytics_deletes_every_sdk_cookie_and_the_cookie_table_lists_them()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all", "/Menu");

        var answer = await browser.ChooseAsync("withdraw", "/Privacy");

        Assert.All(Mirrors, name => Assert.True(answer.Deletes(name), $"{name} is deleted"));
        Assert.All(Mirrors, name => Assert.False(browser.Cookies.ContainsKey(name)));
        var privacy = await browser.NavigateAsync("/Privacy");
        Assert.All(Mirrors, name => Assert.Null(privacy.Cookie(name)));
        Assert.Null(privacy.Data("data-snowplow-id"));
        foreach (var declared in new[] { "_sp_id.*", "_sp_ses.*", Amplitude, GoogleAnalytics })
        {
            Assert.Contains($">{declared}<", privacy.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_refusal_deletes_the_cookies_older_sdk_versions_probes_and_the_collector_left()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("reject-all", "/Menu");
        string[] left =
        [
            "amp_a1b2c3", "amplitude_id_a1b2c3d4e5f60718293a4b5c6d7e8f90", "amplitude_id_a1b2c3d4e5f60718293a4b5c6d7e8f90_shop",
            "amp_cookie_test", "amplitude_cookie_test1767614400", "amplitude_test", "AMP_TEST", "sp", "_sp_root_domain_test_1767614400",
        ];
        foreach (var name in left)
        {
            browser.Cookies[name] = "left-behind";
        }

        var page = await browser.NavigateAsync("/Menu");

        Assert.All(left, name => Assert.True(page.Deletes(name), $"{name} is deleted"));

        // On localhost a script's cookie may carry Domain=localhost, which a host-only deletion misses.
        Assert.Contains(page.SetCookies, c => c.Name == "sp" && c.MaxAge == TimeSpan.Zero && c.Domain.Value == "localhost");
    }

    [Fact]
    public async Task The_consent_script_is_given_the_profiles_storage_keys_under_their_category()
    {
        var browser = SampleClient.Create(factory);

        var page = await browser.NavigateAsync("/Menu");

        var config = System.Text.RegularExpressions.Regex.Match(page.Body, "<script type=\"application/json\" id=\"fp-config\">(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(config.Success, "the page has no fp-config");
        using var json = JsonDocument.Parse(config.Groups[1].Value);
        var analytics = json.RootElement.GetProperty("storage").GetProperty("analytics").EnumerateArray().Select(k => k.GetString()).ToList();
        Assert.Contains("snowplowOutQueue_*", analytics);
        Assert.Contains("AMP_unsent_*", analytics);
        Assert.Contains("amplitude_unsent_*", analytics);
        Assert.Contains("AMP_remote_config_a1b2c3d4e5", analytics);
    }

    private static async Task<string?> VisitorIdAsync(SampleClient browser)
    {
        var visitor = await browser.FetchAsync("/api/visitor");
        using var json = JsonDocument.Parse(visitor.Body);
        return json.RootElement.GetProperty("visitorId").GetString();
    }
}
