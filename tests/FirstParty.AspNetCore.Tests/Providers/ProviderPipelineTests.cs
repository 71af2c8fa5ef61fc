using FirstParty.AspNetCore.Consent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.Providers.ProviderTestSupport;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>The provider profiles behind UseFirstParty: consent gating, decisions, navigations, deletion, ids and the catalogue.</summary>
public sealed class ProviderPipelineTests
{
    private const string IdsPath = "/probe/provider-ids";
    private const string SpId = "_sp_id.8809";
    private const string SpSes = "_sp_ses.8809";
    private const string Amp = "AMP_0123456789";
    private const string Ga = "_ga";
    private static readonly string[] ProviderNames = [SpId, SpSes, Amp, Ga];

    private const string SdkSnowplow = "sdk-duid-1.1700000000.4.1700000500.1699990000.sdk-sess.sdk-prev.sdk-event.1700000500123.7";

    /// <summary>node: analytics-browser's value for deviceId "sdk-device-0001" with a session, last event time and cookieDomain ".example.com".</summary>
    private const string SdkAmplitude =
        "JTdCJTIyZGV2aWNlSWQlMjIlM0ElMjJzZGstZGV2aWNlLTAwMDElMjIlMkMlMjJzZXNzaW9uSWQlMjIlM0ExNzY3NjE0NDAwMDAwJTJDJTIybGFzdEV2ZW50VGltZSUyMiUzQTE3Njc2MTQ1MDAwMDAlMkMlMjJvcHRPdXQlMjIlM0FmYWxzZSUyQyUyMmxhc3RFdmVudElkJTIyJTNBMyUyQyUyMmNvb2tpZURvbWFpbiUyMiUzQSUyMi5leGFtcGxlLmNvbSUyMiU3RA==";

    private const string SdkGa = "GA1.1.1234567890.1700000000";

    private static Task<TestApp> StartAsync(string regime = "OptIn", Action<IFirstPartyBuilder>? add = null, Action<TestAppOptions>? configure = null)
        => StartConsentAppAsync(regime, o =>
        {
            o.BaseAddress = new Uri("http://www.example.com/");
            o.Configuration["FirstParty:Providers:Amplitude:ApiKey"] = ApiKey;
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                var builder = new FirstPartyBuilder(services);
                (add ?? (b => b.AddSnowplow().AddAmplitude().AddGoogleAnalytics()))(builder);
                services.AddSingleton<IStartupFilter, ProviderIdsStartupFilter>();
            };
            configure?.Invoke(o);
        });

    private static Action<HttpRequestMessage> Document => r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");

    /// <summary>A script's fetch: not a navigation.</summary>
    private static Task<RawResponse> FetchAsync(TestApp app, string path, CookieJar jar)
        => app.SendRawAsync(HttpMethod.Get, path, jar, r =>
        {
            r.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        });

    private static async Task<ProviderIds> IdsAsync(TestApp app, CookieJar jar)
    {
        var response = await FetchAsync(app, IdsPath, jar);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(ProviderCookies(response));
        return JsonSerializer.Deserialize<ProviderIds>(response.Body, JsonSerializerOptions.Web)!;
    }

    private static IReadOnlyList<RawSetCookie> Raw(RawResponse response) => [.. response.RawSetCookies.Select(RawSetCookie.Parse)];

    private static IReadOnlyList<RawSetCookie> ProviderCookies(RawResponse response)
        => [.. Raw(response).Where(c => c.Name.StartsWith("_sp_", StringComparison.Ordinal) || c.Name.StartsWith("AMP_", StringComparison.Ordinal)
            || c.Name.StartsWith("amp_", StringComparison.Ordinal) || c.Name.StartsWith("_ga", StringComparison.Ordinal))];

    private static RawSetCookie Written(RawResponse response, string name)
        => Assert.Single(Raw(response), c => c.Name == name && !c.IsDeletion);

    private static FakeVisitor VisitorFrom(JsonElement state)
    {
        var visitor = state.GetProperty("visitor");
        return new FakeVisitor
        {
            VisitorId = visitor.GetProperty("id").GetString()!,
            SessionId = visitor.GetProperty("sessionId").GetString(),
            SessionIndex = visitor.GetProperty("sessionIndex").GetInt32(),
            FirstSeen = TestAppOptions.DefaultStart,
            PreviousSessionId = null,
        };
    }

    private static async Task<(CookieJar Jar, FakeVisitor Visitor, RawResponse Response)> AcceptAllAsync(TestApp app)
    {
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "accept-all", json: true);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return (jar, VisitorFrom(response.Json()), response);
    }

    [Fact]
    public async Task A_first_navigation_before_a_decision_writes_no_provider_cookie()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var response = await app.BrowseAsync("/", jar, Document);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(ProviderCookies(response));
        Assert.All(ProviderNames, n => Assert.Null(jar[n]));
    }

    [Fact]
    public async Task The_json_accept_all_answer_carries_the_cookies_derived_from_the_visitor_it_reports()
    {
        await using var app = await StartAsync();

        var (jar, visitor, response) = await AcceptAllAsync(app);

        var now = app.Time.GetUtcNow();
        var spId = Written(response, SpId);
        Assert.Equal(SnowplowProfile.Mint(visitor, now), spId.Value);
        Assert.Equal(visitor.VisitorId, spId.Value.Split('.')[0]);
        Assert.Equal("example.com", spId.Domain);
        Assert.True(spId.Secure);
        Assert.Equal(MaxAgeCap, spId.MaxAge);

        var spSes = Written(response, SpSes);
        Assert.Equal("*", spSes.Value);
        Assert.Equal(1800, spSes.MaxAge);

        var amp = Written(response, Amp);
        Assert.Equal(".example.com", amp.Domain);
        using (var json = JsonDocument.Parse(DecodeAmplitude(amp.Value)))
        {
            Assert.Equal(visitor.VisitorId, json.RootElement.GetProperty("deviceId").GetString());
            Assert.Equal(".example.com", json.RootElement.GetProperty("cookieDomain").GetString());
        }

        var ga = Written(response, Ga);
        Assert.Equal("GA1.1." + GoogleAnalyticsProfile.DerivedClientId(visitor), ga.Value);
        Assert.DoesNotContain(visitor.VisitorId, ga.Value, StringComparison.Ordinal);
        Assert.EndsWith("." + TestAppOptions.DefaultStart.ToUnixTimeSeconds(), ga.Value, StringComparison.Ordinal);
        Assert.Equal("example.com", ga.Domain);

        Assert.All(ProviderCookies(response), c =>
        {
            Assert.False(c.HttpOnly, c.Header);
            Assert.Equal("/", c.Attributes["path"]);
            Assert.Equal("lax", c.Attributes["samesite"]);
        });
        Assert.DoesNotContain(Raw(response), c => c.Name.StartsWith("_ga_", StringComparison.Ordinal));
        Assert.All(ProviderNames, n => Assert.NotNull(jar[n]));
    }

    [Fact]
    public async Task The_form_accept_all_redirect_carries_them_too()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var response = await app.ChooseAsync(jar, "accept-all");

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.All(ProviderNames, n => Written(response, n));
        Assert.Equal(jar[SpId]!.Split('.')[0], (await IdsAsync(app, jar)).SnowplowDomainUserId);
    }

    [Fact]
    public async Task A_navigation_that_refreshes_the_visitor_cookie_re_sends_them_unchanged_without_the_session_marker()
    {
        await using var app = await StartAsync();
        var (jar, _, accepted) = await AcceptAllAsync(app);
        jar[SpSes] = null; // expired after 30 minutes, as in a browser
        app.Time.Advance(TimeSpan.FromMinutes(31));

        var navigation = await app.BrowseAsync("/page", jar, Document);

        Assert.NotNull(navigation.Written(TestApp.VisitorCookie));
        foreach (var name in new[] { SpId, Amp, Ga })
        {
            var again = Written(navigation, name);
            Assert.Equal(Written(accepted, name).Value, again.Value);
            Assert.Equal(Written(accepted, name).Domain, again.Domain);
            Assert.Equal(Written(accepted, name).MaxAge, again.MaxAge);
            Assert.False(again.Attributes.ContainsKey("expires"), "Max-Age only: Expires beside it is redundant");
        }

        Assert.DoesNotContain(Raw(navigation), c => c.Name == SpSes);
    }

    [Fact]
    public async Task A_navigation_in_the_same_session_leaves_present_cookies_alone()
    {
        await using var app = await StartAsync();
        var (jar, _, _) = await AcceptAllAsync(app);
        app.Time.Advance(TimeSpan.FromMinutes(5));

        var navigation = await app.BrowseAsync("/page", jar, Document);

        Assert.Equal(HttpStatusCode.OK, navigation.Status);
        Assert.Null(navigation.Written(TestApp.VisitorCookie));
        Assert.Empty(ProviderCookies(navigation));
    }

    [Fact]
    public async Task A_fetch_writes_no_provider_cookie_even_when_one_is_missing()
    {
        await using var app = await StartAsync();
        var (jar, _, _) = await AcceptAllAsync(app);
        jar[Amp] = null;
        jar[Ga] = null;
        app.Time.Advance(TimeSpan.FromMinutes(31));

        var fetch = await FetchAsync(app, "/page", jar);

        Assert.Equal(HttpStatusCode.OK, fetch.Status);
        Assert.Empty(ProviderCookies(fetch));
    }

    [Fact]
    public async Task A_refreshing_navigation_re_sends_the_sdks_own_cookies_byte_for_byte_and_the_ids_follow_them()
    {
        await using var app = await StartAsync();
        var (jar, visitor, _) = await AcceptAllAsync(app);
        jar[SpId] = SdkSnowplow;
        jar[SpSes] = null;
        jar[Amp] = SdkAmplitude;
        jar[Ga] = SdkGa;
        app.Time.Advance(TimeSpan.FromMinutes(31));

        var navigation = await app.BrowseAsync("/page", jar, Document);

        Assert.Equal(SdkSnowplow, Written(navigation, SpId).Value);
        Assert.Equal(SdkAmplitude, Written(navigation, Amp).Value);
        Assert.Equal(SdkGa, Written(navigation, Ga).Value);
        Assert.DoesNotContain(Raw(navigation), c => c.Name == SpSes);

        var ids = await IdsAsync(app, jar);
        Assert.Equal(new ProviderIds("sdk-duid-1", "sdk-device-0001", "1234567890.1700000000"), ids);
        Assert.NotEqual(visitor.VisitorId, ids.SnowplowDomainUserId);
    }

    [Fact]
    public async Task A_purged_cookie_is_re_created_on_the_next_navigation_and_present_ones_are_left_alone()
    {
        await using var app = await StartAsync();
        var (jar, visitor, accepted) = await AcceptAllAsync(app);
        jar[Amp] = null;
        jar[Ga] = null;
        app.Time.Advance(TimeSpan.FromMinutes(5));

        var navigation = await app.BrowseAsync("/page", jar, Document);

        Assert.Equal(Written(accepted, Amp).Value, Written(navigation, Amp).Value);
        Assert.Equal("GA1.1." + GoogleAnalyticsProfile.DerivedClientId(visitor), Written(navigation, Ga).Value);
        Assert.DoesNotContain(Raw(navigation), c => c.Name == SpId || c.Name == SpSes);
    }

    [Fact]
    public async Task A_purged_cookie_re_created_for_a_known_visitor_counts_as_rescued_by_provider_and_browser()
    {
        await using var app = await StartAsync();
        using var rescued = app.CollectMetric("firstparty.providers.cookies.rescued");
        var (jar, _, _) = await AcceptAllAsync(app);
        Assert.Empty(rescued.GetMeasurementSnapshot());
        jar[Ga] = null;
        app.Time.Advance(TimeSpan.FromMinutes(5));

        await app.BrowseAsync("/page", jar, r =>
        {
            Document(r);
            r.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15");
        });

        var measurement = Assert.Single(rescued.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal("google-analytics", measurement.Tags["provider"]);
        Assert.Equal("safari", measurement.Tags["browser"]);
        Assert.Equal(2, measurement.Tags.Count);
    }

    [Fact]
    public async Task Cookies_minted_for_a_new_visitor_or_by_a_decision_are_not_rescues()
    {
        await using var app = await StartAsync(regime: "Implied");
        using var rescued = app.CollectMetric("firstparty.providers.cookies.rescued");

        var first = await app.BrowseAsync("/", new CookieJar(), Document);
        await AcceptAllAsync(app);

        Assert.NotNull(Written(first, Ga));
        Assert.Empty(rescued.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task A_purged_snowplow_cookie_is_re_created_with_the_visitor_and_session_ids()
    {
        await using var app = await StartAsync(add: b => b.AddSnowplow());
        var (jar, visitor, _) = await AcceptAllAsync(app);
        jar[SpId] = null;
        jar[SpSes] = null;
        app.Time.Advance(TimeSpan.FromMinutes(5));

        var navigation = await app.BrowseAsync("/page", jar, Document);

        Assert.Equal(SnowplowProfile.Mint(visitor, app.Time.GetUtcNow()), Written(navigation, SpId).Value);
        Assert.Equal("*", Written(navigation, SpSes).Value);
    }

    [Theory]
    [InlineData("reject-all")]
    [InlineData("withdraw")]
    public async Task A_refusal_deletes_the_provider_cookies_the_browser_sent(string choice)
    {
        await using var app = await StartAsync();
        var (jar, _, accepted) = await AcceptAllAsync(app);
        var sent = jar.ToHeader();

        var response = await app.ChooseAsync(jar, choice, json: true);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        foreach (var name in ProviderNames)
        {
            Assert.Contains(name + "=", sent, StringComparison.Ordinal);
            var deletions = Raw(response).Where(c => c.Name == name).ToList();
            Assert.NotEmpty(deletions);
            Assert.All(deletions, d =>
            {
                Assert.True(d.IsDeletion, d.Header);
                Assert.Equal(string.Empty, d.Value);
            });

            // A deletion only removes the cookie with the same Domain (a leading dot aside).
            var domain = Written(accepted, name).Domain?.TrimStart('.');
            Assert.Contains(deletions, d => d.Domain?.TrimStart('.') == domain);
            Assert.Null(jar[name]);
        }

        Assert.All(ProviderNames, n => Assert.Null(jar[n]));
        Assert.Equal(new ProviderIds(null, null, null), await IdsAsync(app, jar));
    }

    [Fact]
    public async Task After_a_refusal_a_navigation_deletes_cookies_an_sdk_wrote_and_writes_none()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all", json: true);
        jar[SpId] = SdkSnowplow;
        jar[Amp] = SdkAmplitude;
        jar[Ga] = SdkGa;

        var navigation = await app.BrowseAsync("/page", jar, Document);

        Assert.All(ProviderCookies(navigation), c => Assert.True(c.IsDeletion, c.Header));
        Assert.All(new[] { SpId, Amp, Ga }, n => Assert.Contains(ProviderCookies(navigation), c => c.Name == n));
    }

    [Fact]
    public async Task A_form_post_navigation_that_accepts_writes_them_and_one_that_refuses_only_deletes()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var accepted = await app.ChooseAsync(jar, "accept-all", configure: Document);
        Assert.Equal(HttpStatusCode.SeeOther, accepted.Status);
        Assert.All(ProviderNames, n => Written(accepted, n));

        var refused = await app.ChooseAsync(jar, "reject-all", configure: Document);
        Assert.Equal(HttpStatusCode.SeeOther, refused.Status);
        Assert.All(ProviderCookies(refused), c => Assert.True(c.IsDeletion, c.Header));
        Assert.All(ProviderNames, n => Assert.Contains(ProviderCookies(refused), c => c.Name == n));
        Assert.All(ProviderNames, n => Assert.Null(jar[n]));
    }

    [Fact]
    public async Task On_localhost_snowplow_names_the_host_and_the_others_are_host_only()
    {
        await using var app = await StartAsync(configure: o => o.BaseAddress = new Uri("http://localhost/"));

        var (_, visitor, response) = await AcceptAllAsync(app);

        var spId = Written(response, "_sp_id.1fff");
        Assert.Equal("localhost", spId.Domain);
        Assert.Equal("localhost", Written(response, "_sp_ses.1fff").Domain);
        var amp = Written(response, Amp);
        Assert.False(amp.HasDomain);
        Assert.Equal(AmplitudeProfile.BrowserValue(visitor.VisitorId, string.Empty), amp.Value);
        Assert.False(Written(response, Ga).HasDomain);
    }

    [Fact]
    public async Task Granting_only_marketing_writes_no_provider_cookie()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var response = await app.ChooseAsync(jar, "custom", json: true, categories: ["marketing"]);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(ProviderCookies(response));
        Assert.Empty(ProviderCookies(await app.BrowseAsync("/page", jar, Document)));
        Assert.Equal(new ProviderIds(null, null, null), await IdsAsync(app, jar));
    }

    [Fact]
    public async Task Profiles_in_the_marketing_category_wait_for_marketing()
    {
        await using var app = await StartAsync(configure: o =>
        {
            o.Configuration["FirstParty:Providers:Snowplow:Category"] = "marketing";
            o.Configuration["FirstParty:Providers:Amplitude:Category"] = "marketing";
            o.Configuration["FirstParty:Providers:GoogleAnalytics:Category"] = "marketing";
        });
        var jar = new CookieJar();

        var analyticsOnly = await app.ChooseAsync(jar, "custom", json: true, categories: ["analytics"]);

        Assert.NotEqual(JsonValueKind.Null, analyticsOnly.Json().GetProperty("visitor").ValueKind);
        Assert.NotNull(jar[TestApp.VisitorCookie]);
        Assert.Empty(ProviderCookies(analyticsOnly));
        Assert.Empty(ProviderCookies(await app.BrowseAsync("/page", jar, Document)));
        Assert.Equal(new ProviderIds(null, null, null), await IdsAsync(app, jar));

        var both = await app.ChooseAsync(jar, "custom", json: true, categories: ["analytics", "marketing"]);
        var visitor = VisitorFrom(both.Json());
        Assert.Equal(visitor.VisitorId, Written(both, SpId).Value.Split('.')[0]);
        Assert.All(ProviderNames, n => Written(both, n));
        Assert.Equal(visitor.VisitorId, (await IdsAsync(app, jar)).AmplitudeDeviceId);
    }

    [Fact]
    public async Task GetProviderIds_returns_the_three_ids_when_granted_and_nulls_before()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        await app.BrowseAsync("/", jar, Document);
        Assert.Equal(new ProviderIds(null, null, null), await IdsAsync(app, jar));

        var accepted = await app.ChooseAsync(jar, "accept-all", json: true);
        var visitor = VisitorFrom(accepted.Json());

        var ids = await IdsAsync(app, jar);
        Assert.Equal(visitor.VisitorId, ids.SnowplowDomainUserId);
        Assert.Equal(visitor.VisitorId, ids.AmplitudeDeviceId);
        Assert.Equal(GoogleAnalyticsProfile.DerivedClientId(visitor), ids.GoogleAnalyticsClientId);
        Assert.Equal(Written(accepted, Ga).Value, "GA1.1." + ids.GoogleAnalyticsClientId);
    }

    [Fact]
    public async Task GetProviderIds_has_nulls_for_profiles_that_are_not_added()
    {
        await using var app = await StartAsync(add: b => b.AddSnowplow());
        var (jar, visitor, response) = await AcceptAllAsync(app);

        Assert.Equal(new ProviderIds(visitor.VisitorId, null, null), await IdsAsync(app, jar));
        Assert.Equal([SpId, SpSes], ProviderCookies(response).Select(c => c.Name));
    }

    [Fact]
    public async Task Where_consent_is_implied_the_first_navigation_writes_them_for_the_new_visitor()
    {
        await using var app = await StartAsync(regime: "Implied");
        var jar = new CookieJar();

        var response = await app.BrowseAsync("/", jar, Document);

        var snapshot = JsonSerializer.Deserialize<VisitorSnapshot>(response.Body, JsonSerializerOptions.Web)!;
        Assert.True(snapshot.IsNewVisitor);
        var visitor = new FakeVisitor { VisitorId = snapshot.VisitorId, FirstSeen = snapshot.FirstSeen, SessionId = snapshot.SessionId, SessionIndex = snapshot.SessionIndex };
        Assert.Equal(SnowplowProfile.Mint(visitor, app.Time.GetUtcNow()), Written(response, SpId).Value);
        Assert.Equal("*", Written(response, SpSes).Value);
        Assert.Equal(AmplitudeProfile.BrowserValue(snapshot.VisitorId, ".example.com"), Written(response, Amp).Value);
        Assert.Equal("GA1.1." + GoogleAnalyticsProfile.DerivedClientId(visitor), Written(response, Ga).Value);
    }

    [Fact]
    public async Task Endpoints_that_disable_visitor_cookies_get_no_provider_cookie()
    {
        await using var app = await StartAsync(regime: "Implied");
        var jar = new CookieJar();
        await app.BrowseAsync("/", jar, Document);

        var response = await app.BrowseAsync("/disabled-attribute", jar, Document);

        Assert.Empty(ProviderCookies(response));
    }

    [Fact]
    public async Task A_configured_snowplow_domain_is_also_where_a_refusal_deletes()
    {
        // The tracker's cookieDomain may differ from the site's registrable domain; the cookie lives there.
        await using var app = await StartAsync(
            add: b => b.AddSnowplow(),
            configure: o =>
            {
                o.BaseAddress = new Uri("http://www.shop.example.com/");
                o.Configuration["FirstParty:Providers:Snowplow:CookieDomain"] = "shop.example.com";
            });
        var (jar, _, accepted) = await AcceptAllAsync(app);
        var name = "_sp_id." + SnowplowProfile.Hash("shop.example.com");
        Assert.Equal("shop.example.com", Written(accepted, name).Domain);

        var response = await app.ChooseAsync(jar, "reject-all", json: true);

        var deletions = Raw(response).Where(c => c.Name == name).ToList();
        Assert.All(deletions, d => Assert.True(d.IsDeletion));
        Assert.Contains(deletions, d => d.Domain?.TrimStart('.') == "shop.example.com");
    }

    [Fact]
    public async Task An_sdk_value_whose_json_is_not_an_object_does_not_break_the_page()
    {
        await using var app = await StartAsync(add: b => b.AddAmplitude());
        var (jar, visitor, _) = await AcceptAllAsync(app);
        jar[Amp] = EncodeAmplitude("[1]");

        var navigation = await app.BrowseAsync("/page", jar, Document);

        // Well-formed base64 passes the per-page shape check; the full check replaces it when the
        // visitor cookie is refreshed (a new session here).
        Assert.Equal(HttpStatusCode.OK, navigation.Status);
        app.Time.Advance(TimeSpan.FromMinutes(31));
        var refreshed = await app.BrowseAsync("/page", jar, Document);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(AmplitudeProfile.BrowserValue(visitor.VisitorId, ".example.com"), Written(refreshed, Amp).Value);
    }

    [Fact]
    public async Task The_catalogue_declares_the_provider_cookies_under_analytics()
    {
        await using var app = await StartAsync();
        var catalogue = app.Services.GetRequiredService<CookieCatalogue>();

        var expected = new Dictionary<string, (string Declared, string Service, string Provider)>
        {
            ["_sp_id.8809"] = ("_sp_id.*", "snowplow", "Snowplow"),
            ["_sp_id.1fff"] = ("_sp_id.*", "snowplow", "Snowplow"),
            ["_sp_ses.8809"] = ("_sp_ses.*", "snowplow", "Snowplow"),
            ["AMP_0123456789"] = ("AMP_0123456789", "amplitude", "Amplitude"),
            ["_ga"] = ("_ga", "google-analytics", "Google"),
            ["_ga_ABC123XYZ"] = ("_ga_*", "google-analytics", "Google"),
        };
        foreach (var (name, (declared, service, provider)) in expected)
        {
            var entry = catalogue.Find(name);
            Assert.NotNull(entry);
            Assert.Equal(declared, entry.Cookie.Name);
            Assert.Equal("analytics", entry.Category);
            Assert.Equal(service, entry.Service);
            Assert.Equal(provider, entry.Provider);
        }

        Assert.Null(catalogue.Find("AMP_abcdefghij"));
        var analytics = catalogue.ByCategory["analytics"].Select(d => d.Name).ToList();
        Assert.Contains("_sp_id.*", analytics);
        Assert.Contains("_sp_ses.*", analytics);
        Assert.Contains("AMP_0123456789", analytics);
        Assert.Contains("_ga", analytics);
        Assert.DoesNotContain(catalogue.ByCategory["marketing"], d => d.Name.StartsWith("_sp_", StringComparison.Ordinal) || d.Name.StartsWith("_ga", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_catalogue_follows_a_configured_category_and_prefix()
    {
        await using var app = await StartAsync(configure: o =>
        {
            o.Configuration["FirstParty:Providers:Snowplow:Category"] = "marketing";
            o.Configuration["FirstParty:Providers:Snowplow:CookieNamePrefix"] = "sp_";
            o.Configuration["FirstParty:Providers:Amplitude:Sdk"] = "AmplitudeJs";
        });
        var catalogue = app.Services.GetRequiredService<CookieCatalogue>();

        Assert.Equal("marketing", catalogue.Find("sp_id.8809")!.Category);
        Assert.Null(catalogue.Find("_sp_id.8809"));
        Assert.Equal("amp_012345", catalogue.Find("amp_012345")!.Cookie.Name);

        // analytics-browser's cookie, if that SDK ran before, is declared too, but it is not the one the server keeps.
        Assert.Equal("AMP_0123456789", catalogue.Find("AMP_0123456789")!.Cookie.Name);
        Assert.DoesNotContain("server", catalogue.Find("AMP_0123456789")!.Cookie.Purpose, StringComparison.Ordinal);
        Assert.Null(catalogue.Find("AMP_MKTG_0123456789"));
        Assert.Equal(["snowplowOutQueue_*", "_sp_tab_id", "sp_id.*", "sp_ses.*"], catalogue.StorageKeys["marketing"]);
        Assert.Contains("amplitude_unsent_*", catalogue.StorageKeys["analytics"]);
    }

    [Fact]
    public async Task Without_profiles_the_catalogue_and_responses_have_none()
    {
        await using var app = await StartAsync(add: _ => { });
        var (jar, _, response) = await AcceptAllAsync(app);

        Assert.Empty(ProviderCookies(response));
        Assert.Empty(ProviderCookies(await app.BrowseAsync("/page", jar, Document)));
        Assert.Null(app.Services.GetRequiredService<CookieCatalogue>().Find("_ga"));
        Assert.Equal(new ProviderIds(null, null, null), await IdsAsync(app, jar));
    }

    /// <summary>Answers <see cref="IdsPath"/> with <c>HttpContext.GetProviderIds()</c>, after UseFirstParty.</summary>
    private sealed class ProviderIdsStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use((context, nextMiddleware) => context.Request.Path.Equals(IdsPath, StringComparison.Ordinal)
                ? context.Response.WriteAsJsonAsync(context.GetProviderIds())
                : nextMiddleware(context));
        };
    }
}
