using System.Text.Json;
using FirstParty.AspNetCore.Providers;
using static FirstParty.AspNetCore.Tests.Providers.ProviderTestSupport;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>Amplitude's <c>AMP_{key10}</c> (analytics-browser 2) and <c>amp_{key6}</c> (amplitude-js 8).</summary>
public sealed class AmplitudeProfileTests
{
    /// <summary>node: <c>btoa(encodeURIComponent(JSON.stringify({deviceId:VisitorId,optOut:false,cookieDomain:".example.com"})))</c>.</summary>
    private const string BrowserVector =
        "JTdCJTIyZGV2aWNlSWQlMjIlM0ElMjI1ZjBjMmExZS04ZDdiLTRjMWEtOWYzZS0yYjZkN2E4YzllMTAlMjIlMkMlMjJvcHRPdXQlMjIlM0FmYWxzZSUyQyUyMmNvb2tpZURvbWFpbiUyMiUzQSUyMi5leGFtcGxlLmNvbSUyMiU3RA==";

    /// <summary>node: the same with <c>cookieDomain:""</c> (a host-only cookie).</summary>
    private const string HostOnlyVector =
        "JTdCJTIyZGV2aWNlSWQlMjIlM0ElMjI1ZjBjMmExZS04ZDdiLTRjMWEtOWYzZS0yYjZkN2E4YzllMTAlMjIlMkMlMjJvcHRPdXQlMjIlM0FmYWxzZSUyQyUyMmNvb2tpZURvbWFpbiUyMiUzQSUyMiUyMiU3RA==";

    /// <summary>
    /// node: what the SDK itself writes after some events,
    /// <c>{deviceId:"sdk-device-0001",sessionId:1767614400000,lastEventTime:1767614500000,optOut:false,lastEventId:3,cookieDomain:".example.com"}</c>.
    /// </summary>
    private const string SdkValue =
        "JTdCJTIyZGV2aWNlSWQlMjIlM0ElMjJzZGstZGV2aWNlLTAwMDElMjIlMkMlMjJzZXNzaW9uSWQlMjIlM0ExNzY3NjE0NDAwMDAwJTJDJTIybGFzdEV2ZW50VGltZSUyMiUzQTE3Njc2MTQ1MDAwMDAlMkMlMjJvcHRPdXQlMjIlM0FmYWxzZSUyQyUyMmxhc3RFdmVudElkJTIyJTNBMyUyQyUyMmNvb2tpZURvbWFpbiUyMiUzQSUyMi5leGFtcGxlLmNvbSUyMiU3RA==";

    private const string BrowserName = "AMP_0123456789";
    private const string LegacyName = "amp_012345";
    private const long YearSeconds = 365L * 24 * 60 * 60;

    private static AmplitudeProfile Profile(Action<AmplitudeProfileOptions>? configure = null)
    {
        var options = new AmplitudeProfileOptions { ApiKey = ApiKey };
        configure?.Invoke(options);
        return new AmplitudeProfile(options);
    }

    private static AmplitudeProfile Legacy() => Profile(o => o.Sdk = AmplitudeSdk.AmplitudeJs);

    [Theory]
    [InlineData("a b!*'()~_.-é{}", "a%20b!*'()~_.-%C3%A9%7B%7D")]
    [InlineData("ü€😀\"%/?#&=+,;", "%C3%BC%E2%82%AC%F0%9F%98%80%22%25%2F%3F%23%26%3D%2B%2C%3B")]
    [InlineData("AZaz09", "AZaz09")]
    [InlineData("", "")]
    [InlineData("{\"a\":1}", "%7B%22a%22%3A1%7D")]
    public void EncodeUriComponent_matches_javascript(string value, string expected)
        => Assert.Equal(expected, AmplitudeProfile.EncodeUriComponent(value));

    [Fact]
    public void The_analytics_browser_value_matches_the_sdk_encoding()
    {
        Assert.Equal(BrowserVector, AmplitudeProfile.BrowserValue(VisitorId, ".example.com"));
        Assert.Equal(HostOnlyVector, AmplitudeProfile.BrowserValue(VisitorId, string.Empty));
    }

    [Fact]
    public void The_cookie_names_take_ten_or_six_characters_of_the_key()
    {
        Assert.Equal(BrowserName, Profile().CookieName);
        Assert.Equal(LegacyName, Legacy().CookieName);
        // analytics-browser also writes its attribution cookie and probes; both SDKs may find the
        // other's id cookie and amplitude-js's older cookie and probes: all declared so refusal deletes them.
        string[] older = ["amplitude_id_" + ApiKey + "*", "amp_cookie_test*", "amplitude_cookie_test*", "amplitude_test*"];
        Assert.Equal([BrowserName, "AMP_MKTG_" + BrowserName[4..], "AMP_TEST", "AMP_TLDTEST", LegacyName, .. older], Profile().Declarations.Select(d => d.Name));
        Assert.Equal([LegacyName, BrowserName, .. older], Legacy().Declarations.Select(d => d.Name));
        Assert.All(Profile().Declarations.Take(2), d => Assert.Equal(TimeSpan.FromDays(365), d.Lifetime));
    }

    [Fact]
    public void The_older_cookies_and_probes_match_what_amplitude_js_names_them()
    {
        var declarations = Legacy().Declarations.ToList();

        // amplitude-js names its pre-v6 cookie cookieName + "_" + apiKey (+ "_" + instance name).
        foreach (var name in new[] { "amplitude_id_" + ApiKey, "amplitude_id_" + ApiKey + "_shop", "amp_cookie_test", "amp_cookie_test1767614400000", "amplitude_cookie_test", "amplitude_test" })
        {
            Assert.Contains(declarations, d => d.Matches(name));
        }

        Assert.DoesNotContain(declarations, d => d.Matches("amplitude_id_someotherkey"));
    }

    [Fact]
    public void The_storage_keys_are_what_both_sdks_write()
    {
        // analytics-browser: AMP_unsent_{key10} (its queue), AMP_remote_config_{key10}, AMP_URL_INFO and AMP_PAGE_VIEW (sessionStorage);
        // amplitude-js: amplitude_unsent_{key} and amplitude_unsent_identify_{key}, amp_cookiestore_* (cookies disabled);
        // both: the id itself when kept in storage.
        Assert.Equal(
            ["AMP_unsent_*", "AMP_remote_config_0123456789", "AMP_URL_INFO", "AMP_PAGE_VIEW", "AMP_diagnostics_0123456789", BrowserName, "AMP_MKTG_0123456789", "amplitude_unsent_*", "amp_cookiestore_*", LegacyName],
            Profile().StorageKeys);
    }

    [Fact]
    public void The_declared_lifetime_is_the_capped_one_the_server_writes()
    {
        var profile = Profile(o => o.Lifetime = TimeSpan.FromDays(30));
        var http = Http("www.example.com");
        profile.Write(Context(http), missingOnly: false);

        var written = Assert.Single(SetCookies(http));
        Assert.Equal((long)profile.Declarations.First().Lifetime!.Value.TotalSeconds, written.MaxAge);
        Assert.Equal(TimeSpan.FromDays(30), profile.Declarations.First().Lifetime);
    }

    [Fact]
    public void A_new_visitor_gets_the_browser_cookie_on_the_dotted_registrable_domain()
    {
        var http = Http("www.example.com");

        Profile().Write(Context(http), missingOnly: false);

        Assert.Equal(
            [$"{BrowserName}={BrowserVector}; max-age={YearSeconds}; domain=.example.com; path=/; samesite=lax"],
            Headers(http));
    }

    [Fact]
    public void The_json_holds_the_device_id_opt_out_and_cookie_domain_and_never_a_session()
    {
        var http = Http("www.example.com");

        Profile().Write(Context(http), missingOnly: false);

        using var json = JsonDocument.Parse(DecodeAmplitude(SetCookies(http).Single().Value));
        Assert.Equal(["deviceId", "optOut", "cookieDomain"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(VisitorId, json.RootElement.GetProperty("deviceId").GetString());
        Assert.False(json.RootElement.GetProperty("optOut").GetBoolean());
        Assert.Equal(".example.com", json.RootElement.GetProperty("cookieDomain").GetString());
        Assert.False(json.RootElement.TryGetProperty("sessionId", out _));
        Assert.False(json.RootElement.TryGetProperty("lastEventTime", out _));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("localhost:5001")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    public void Single_label_hosts_and_addresses_get_a_host_only_cookie_with_an_empty_cookie_domain(string host)
    {
        var http = Http(host);

        Profile().Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.False(cookie.HasDomain);
        Assert.Equal(HostOnlyVector, cookie.Value);
        using var json = JsonDocument.Parse(DecodeAmplitude(cookie.Value));
        Assert.Equal(string.Empty, json.RootElement.GetProperty("cookieDomain").GetString());
    }

    [Fact]
    public void The_co_uk_registrable_domain_is_used()
    {
        var http = Http("shop.example.co.uk");

        Profile().Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.Equal(".example.co.uk", cookie.Domain);
        Assert.Equal(AmplitudeProfile.BrowserValue(VisitorId, ".example.co.uk"), cookie.Value);
    }

    [Fact]
    public void Secure_is_sent_only_when_configured()
    {
        var plain = Http("www.example.com");
        var secure = Http("www.example.com");

        Profile().Write(Context(plain), missingOnly: false);
        Profile(o => o.Secure = true).Write(Context(secure), missingOnly: false);

        Assert.False(SetCookies(plain).Single().Secure);
        Assert.True(SetCookies(secure).Single().Secure);
        Assert.All(SetCookies(plain).Concat(SetCookies(secure)), c =>
        {
            Assert.Equal("lax", c.Attributes["samesite"]);
            Assert.False(c.HttpOnly);
            Assert.Equal("/", c.Attributes["path"]);
        });
    }

    [Fact]
    public void A_configured_lifetime_sets_the_max_age()
    {
        var http = Http("www.example.com");

        Profile(o => o.Lifetime = TimeSpan.FromDays(90)).Write(Context(http), missingOnly: false);

        Assert.Equal(90L * 86400, SetCookies(http).Single().MaxAge);
    }

    [Fact]
    public void The_value_is_never_percent_encoded_in_the_set_cookie()
    {
        // A visitor id whose JSON base64 ends in padding, so '=' must stay raw.
        var http = Http("www.example.com");

        Profile().Write(Context(http), missingOnly: false);

        var header = Assert.Single(Headers(http));
        Assert.EndsWith("==", SetCookies(http).Single().Value, StringComparison.Ordinal);
        Assert.DoesNotContain("%3D", header, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("%", header, StringComparison.Ordinal);
    }

    [Fact]
    public void The_legacy_sdk_gets_its_dotted_value()
    {
        var http = Http("www.example.com");

        Legacy().Write(Context(http), missingOnly: false);

        Assert.Equal(
            [$"{LegacyName}={VisitorId}...0.0.0.0.0; max-age={YearSeconds}; domain=.example.com; path=/; samesite=lax"],
            Headers(http));
    }

    [Fact]
    public void The_legacy_sdk_is_host_only_on_localhost()
    {
        var http = Http("localhost");

        Legacy().Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.Equal(LegacyName, cookie.Name);
        Assert.False(cookie.HasDomain);
        Assert.Equal(AmplitudeProfile.LegacyValue(VisitorId), cookie.Value);
    }

    [Fact]
    public void An_existing_valid_cookie_is_re_sent_byte_for_byte()
    {
        var http = Http("www.example.com", $"{BrowserName}={SdkValue}; other=x");

        Profile().Write(Context(http), missingOnly: false);

        Assert.Equal(
            [$"{BrowserName}={SdkValue}; max-age={YearSeconds}; domain=.example.com; path=/; samesite=lax"],
            Headers(http));
    }

    [Fact]
    public void With_missing_only_an_existing_cookie_is_not_re_sent()
    {
        var http = Http("www.example.com", $"{BrowserName}={SdkValue}");

        Profile().Write(Context(http), missingOnly: true);

        Assert.Empty(Headers(http));
    }

    [Fact]
    public void An_existing_legacy_cookie_is_re_sent_byte_for_byte()
    {
        const string Existing = "Xy3-_abcDEF0123456789ab.dXNlckBleGFtcGxlLmNvbQ==..1hf7uaq00.1hf7uaq00.5.2.7";
        var http = Http("www.example.com", $"{LegacyName}={Existing}");

        Legacy().Write(Context(http), missingOnly: false);

        Assert.Equal(Existing, Assert.Single(SetCookies(http)).Value);
        Assert.Equal("Xy3-_abcDEF0123456789ab", Legacy().ResolveId(Context(http)));
    }

    public static TheoryData<string> UnreadableValues() => new()
    {
        "%%%not-base64",
        "not*base64",
        EncodeAmplitude("hello"),
        EncodeAmplitude("{\"optOut\":false}"),
        EncodeAmplitude("{\"deviceId\":\"\",\"optOut\":false}"),
        EncodeAmplitude("{\"deviceId\":42}"),
        EncodeAmplitude("{\"deviceId\":"),
    };

    [Theory]
    [MemberData(nameof(UnreadableValues))]
    public void A_value_that_is_not_base64_json_with_a_device_id_is_replaced_when_refreshed(string existing)
    {
        var http = Http("www.example.com", $"{BrowserName}={existing}");

        Assert.Null(Profile().DeviceId(existing));
        Profile().Write(Context(http), missingOnly: false);

        Assert.Equal(BrowserVector, Assert.Single(SetCookies(http)).Value);
        Assert.Equal(VisitorId, Profile().ResolveId(Context(http)));
    }

    [Theory]
    [InlineData("not*base64")]
    [InlineData("%%%not-base64")]
    [InlineData("short")]
    public void A_value_that_is_not_even_base64_is_replaced_on_any_page(string existing)
    {
        var http = Http("www.example.com", $"{BrowserName}={existing}");

        Profile().Write(Context(http), missingOnly: true);

        Assert.Equal(BrowserVector, Assert.Single(SetCookies(http)).Value);
    }

    public static TheoryData<string> NonObjectJson() => new()
    {
        EncodeAmplitude("[1,2]"),
        EncodeAmplitude("123"),
        EncodeAmplitude("\"deviceId\""),
        EncodeAmplitude("null"),
    };

    [Theory]
    [MemberData(nameof(NonObjectJson))]
    public void A_value_whose_json_is_not_an_object_is_replaced_instead_of_throwing(string existing)
    {
        var http = Http("www.example.com", $"{BrowserName}={existing}");

        Assert.Null(Profile().DeviceId(existing));
        Profile().Write(Context(http), missingOnly: false);

        Assert.Equal(BrowserVector, Assert.Single(SetCookies(http)).Value);
        Assert.Equal(VisitorId, Profile().ResolveId(Context(http)));
    }

    [Fact]
    public void DeviceId_reads_a_value_the_sdk_wrote()
    {
        Assert.Equal("sdk-device-0001", Profile().DeviceId(SdkValue));
        Assert.Equal(VisitorId, Profile().DeviceId(BrowserVector));
        Assert.Equal(VisitorId, Profile().DeviceId(HostOnlyVector));
    }

    [Theory]
    [InlineData("Xy3-_abcDEF0123456789ab...0.0.0.0.0", "Xy3-_abcDEF0123456789ab")]
    [InlineData("no-dots-at-all", null)]
    [InlineData(".starts.with.a.dot", null)]
    public void The_legacy_device_id_is_the_first_field(string value, string? deviceId)
        => Assert.Equal(deviceId, Legacy().DeviceId(value));

    [Fact]
    public void ResolveId_returns_the_sdk_device_id_or_the_visitor_id()
    {
        var withCookie = Http("www.example.com", $"{BrowserName}={SdkValue}");

        Assert.Equal("sdk-device-0001", Profile().ResolveId(Context(withCookie)));
        Assert.Empty(Headers(withCookie));
        Assert.Equal(VisitorId, Profile().ResolveId(Context(Http("www.example.com"))));
    }

    [Fact]
    public void A_cookie_for_another_key_is_ignored()
    {
        var http = Http("www.example.com", $"AMP_abcdefghij={SdkValue}");

        Profile().Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.Equal(BrowserName, cookie.Name);
        Assert.Equal(BrowserVector, cookie.Value);
    }
}
