using System.Net;
using System.Text.Json;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The consent state the middleware resolves before the app runs, and how it gates the visitor cookies.</summary>
public sealed class ConsentMiddlewareTests
{
    private const string OtherId = "0f8fad5b-d9cb-469f-a165-70867728950e";

    // ---- before and after a decision -------------------------------------------------------

    [Fact]
    public async Task Under_opt_in_a_navigation_before_consent_sets_no_cookies_and_is_undecided()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();

        var page = await app.NavigateAsync("/", jar);
        var (probe, consent) = await app.ProbeAsync(jar);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Empty(page.RawSetCookies);
        Assert.Null(page.Visitor);
        Assert.Empty(probe.RawSetCookies);
        Assert.True(consent.GetProperty("present").GetBoolean());
        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.False(consent.GetProperty("stale").GetBoolean());
        Assert.Equal(JsonValueKind.Null, consent.GetProperty("consentId").ValueKind);
        Assert.Equal("OptIn", consent.GetProperty("regime").GetString());
        Assert.Equal(JsonValueKind.Null, consent.GetProperty("visitorId").ValueKind);
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = false, ["marketing"] = false },
            consent.Categories());
        Assert.Equal(0, jar.Count);
    }

    [Theory]
    [InlineData("OptOut")]
    [InlineData("Implied")]
    public async Task Under_opt_out_and_implied_a_navigation_before_consent_gets_visitor_cookies(string regime)
    {
        await using var app = await StartConsentAppAsync(regime);
        var page = await app.NavigateAsync("/", new CookieJar());

        Assert.True(page.RequireVisitor().IsNewVisitor);
        Assert.NotNull(page.Cookie(TestApp.VisitorCookie));
        Assert.NotNull(page.Cookie(TestApp.SessionCookie));
        Assert.Null(page.Cookie(ConsentCookie));
    }

    [Fact]
    public async Task After_accept_all_the_app_sees_the_decision_and_the_visitor()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var decision = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();

        var (probe, consent) = await app.ProbeAsync(jar);

        Assert.Empty(probe.RawSetCookies);
        Assert.True(consent.GetProperty("decided").GetBoolean());
        Assert.Equal(decision.GetProperty("consentId").GetString(), consent.GetProperty("consentId").GetString());
        Assert.Equal("accept-all", consent.GetProperty("source").GetString());
        Assert.Equal(decision.GetProperty("visitor").GetProperty("id").GetString(), consent.GetProperty("visitorId").GetString());
        Assert.All(consent.Categories(), c => Assert.True(c.Value, c.Key));
    }

    [Fact]
    public async Task Visitor_cookies_without_a_decision_under_opt_in_are_deleted_on_the_next_response()
    {
        await using var app = await StartConsentAppAsync();
        var jar = await app.JarWithVisitorCookiesAsync();
        jar[ConsentCookie] = null;

        var page = await app.BrowseAsync("/", jar);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("null", page.Body);
        Assert.Single(page.Deletions(TestApp.VisitorCookie));
        Assert.Single(page.Deletions(TestApp.SessionCookie));
        Assert.Equal(2, page.SetCookies.Count);
        Assert.Null(jar[TestApp.VisitorCookie]);
    }

    [Fact]
    public async Task A_refusal_keeps_visitor_cookies_away_on_later_navigations()
    {
        await using var app = await StartConsentAppAsync("Implied");
        var jar = new CookieJar();
        Assert.NotNull((await app.NavigateAsync("/", jar)).Visitor);

        var refusal = await app.ChooseAsync(jar, "reject-all");
        Assert.NotEmpty(refusal.Deletions(TestApp.VisitorCookie));

        var page = await app.NavigateAsync("/", jar);
        Assert.Null(page.Visitor);
        Assert.Empty(page.SetCookies);
    }

    // ---- revision and expiry ---------------------------------------------------------------

    [Fact]
    public async Task A_record_from_an_earlier_revision_is_stale_and_keeps_its_consent_id()
    {
        await using var app = await StartConsentAppAsync(configure: o => o.Configuration["FirstParty:Consent:Revision"] = "2");
        var manager = app.Services.GetRequiredService<ConsentManager>();
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        var old = new ConsentRecord(OtherId, 1, now - 60, now + 86_400, ConsentSources.AcceptAll, ConsentRegime.OptIn, null, ["necessary", "preferences", "analytics", "marketing"]);
        var jar = new CookieJar { [ConsentCookie] = manager.Codec.Protect(old) };

        var (probe, consent) = await app.ProbeAsync(jar);

        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.True(consent.GetProperty("stale").GetBoolean());
        Assert.Equal(OtherId, consent.GetProperty("consentId").GetString());
        Assert.Equal(2, consent.GetProperty("revision").GetInt32());
        Assert.False(consent.Categories()["analytics"]);
        Assert.Empty(probe.RawSetCookies);

        var state = (await app.GetStateAsync(jar)).Json();
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(OtherId, state.GetProperty("consentId").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("source").ValueKind);

        // Deciding again under the new revision keeps the id.
        var again = (await app.ChooseAsync(jar, "reject-all", json: true)).Json();
        Assert.Equal(OtherId, again.GetProperty("consentId").GetString());
        Assert.Equal(2, again.GetProperty("revision").GetInt32());
        Assert.True(again.GetProperty("decided").GetBoolean());

        // The same record under the current revision is a decision.
        jar[ConsentCookie] = manager.Codec.Protect(old with { Revision = 2 });
        Assert.True((await app.ProbeAsync(jar)).Consent.GetProperty("decided").GetBoolean());
    }

    [Fact]
    public async Task Raising_the_revision_on_a_host_sharing_the_key_ring_asks_again()
    {
        var keys = new InMemoryXmlRepository();
        void Shared(TestAppOptions o) => o.ConfigureDataProtection = dp =>
        {
            dp.SetApplicationName("consent-farm");
            TestApp.UseInMemoryKeyRing(dp.Services, keys);
        };

        await using var before = await StartConsentAppAsync(configure: Shared);
        await using var after = await StartConsentAppAsync(configure: o =>
        {
            Shared(o);
            o.Configuration["FirstParty:Consent:Revision"] = "2";
        });
        await using var sameRevision = await StartConsentAppAsync(configure: Shared);

        var jar = new CookieJar();
        var consentId = (await before.ChooseAsync(jar, "accept-all", json: true)).Json().GetProperty("consentId").GetString();

        var onSame = (await sameRevision.ProbeAsync(jar.Clone())).Consent;
        Assert.True(onSame.GetProperty("decided").GetBoolean());
        Assert.Equal(consentId, onSame.GetProperty("consentId").GetString());

        var (probe, onNew) = await after.ProbeAsync(jar.Clone());
        Assert.False(onNew.GetProperty("decided").GetBoolean());
        Assert.True(onNew.GetProperty("stale").GetBoolean());
        Assert.Equal(consentId, onNew.GetProperty("consentId").GetString());
        Assert.Equal(JsonValueKind.Null, onNew.GetProperty("visitorId").ValueKind);

        // Under OptIn the visitor cookies of the stale decision are removed.
        Assert.Single(probe.Deletions(TestApp.VisitorCookie));
        Assert.Single(probe.Deletions(TestApp.SessionCookie));
    }

    [Fact]
    public async Task An_acceptance_expires_after_the_accept_lifetime()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var consentId = (await app.ChooseAsync(jar, "accept-all", json: true)).Json().GetProperty("consentId").GetString();

        app.Time.Advance(TimeSpan.FromDays(395) - TimeSpan.FromSeconds(1));
        Assert.True((await app.ProbeAsync(jar.Clone())).Consent.GetProperty("decided").GetBoolean());

        app.Time.Advance(TimeSpan.FromSeconds(1));
        var (probe, consent) = await app.ProbeAsync(jar);
        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.True(consent.GetProperty("stale").GetBoolean());
        Assert.Equal(consentId, consent.GetProperty("consentId").GetString());
        Assert.False(consent.Categories()["analytics"]);
        Assert.Equal(JsonValueKind.Null, consent.GetProperty("visitorId").ValueKind);
        Assert.NotEmpty(probe.Deletions(TestApp.VisitorCookie));
    }

    [Fact]
    public async Task A_configured_accept_lifetime_is_used()
    {
        await using var app = await StartConsentAppAsync(configure: o => o.Configuration["FirstParty:Consent:AcceptLifetime"] = "30.00:00:00");
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "accept-all");
        Assert.Equal(TimeSpan.FromDays(30), response.Written(ConsentCookie)!.MaxAge);

        app.Time.Advance(TimeSpan.FromDays(30));
        Assert.False((await app.ProbeAsync(jar)).Consent.GetProperty("decided").GetBoolean());
    }

    [Fact]
    public async Task A_refusal_expires_after_the_refusal_lifetime()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all");

        app.Time.Advance(TimeSpan.FromDays(182) - TimeSpan.FromSeconds(1));
        Assert.True((await app.ProbeAsync(jar.Clone())).Consent.GetProperty("decided").GetBoolean());

        app.Time.Advance(TimeSpan.FromSeconds(1));
        var consent = (await app.ProbeAsync(jar)).Consent;
        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.True(consent.GetProperty("stale").GetBoolean());
    }

    // ---- forged and tossed consent cookies -------------------------------------------------

    [Theory]
    [InlineData("garbage", "malformed")]
    [InlineData("2.00000000.AAAAAAAAAAAAAAAAAAAAAA.0f8fad5b-d9cb-469f-a165-70867728950e.1.0.99999999999.accept-all.0..necessary+analytics", "forged")]
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950e.1.0.99999999999.accept-all.0..necessary+analytics", "malformed")]
    [InlineData("9.whatever", "unsupported-version")]
    [InlineData("", "malformed")]
    public async Task A_consent_cookie_that_does_not_verify_is_ignored_and_counted(string value, string reason)
    {
        await using var app = await StartConsentAppAsync();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");
        var jar = new CookieJar { [ConsentCookie] = value };

        var (probe, consent) = await app.ProbeAsync(jar);
        var page = await app.NavigateAsync("/", jar);

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Null(page.Visitor);
        Assert.Empty(page.SetCookies);
        Assert.Empty(probe.RawSetCookies);
        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.False(consent.GetProperty("stale").GetBoolean());
        Assert.Equal(JsonValueKind.Null, consent.GetProperty("consentId").ValueKind);
        var measurements = rejected.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.All(measurements, m =>
        {
            Assert.Equal(ConsentCookie, m.Tags["cookie"]);
            Assert.Equal(reason, m.Tags["reason"]);
        });
    }

    [Fact]
    public async Task A_consent_cookie_signed_by_another_key_ring_is_ignored()
    {
        await using var app = await StartConsentAppAsync();
        await using var other = await StartConsentAppAsync();
        var otherJar = new CookieJar();
        await other.ChooseAsync(otherJar, "accept-all");
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");

        var jar = new CookieJar { [ConsentCookie] = otherJar[ConsentCookie] };
        var page = await app.NavigateAsync("/", jar);
        var state = (await app.GetStateAsync(jar)).Json();

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Null(page.Visitor);
        Assert.Empty(page.SetCookies);
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("consentId").ValueKind);
        Assert.All(rejected.GetMeasurementSnapshot(), m =>
        {
            Assert.Equal(ConsentCookie, m.Tags["cookie"]);
            Assert.Equal("forged", m.Tags["reason"]);
        });
        Assert.Equal(2, rejected.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task A_tossed_duplicate_does_not_hide_the_genuine_consent_cookie()
    {
        await using var app = await StartConsentAppAsync();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");
        var genuine = new CookieJar();
        var consentId = (await app.ChooseAsync(genuine, "custom", json: true, categories: ["preferences"])).Json().GetProperty("consentId").GetString();

        var jar = new CookieJar();
        jar.AddDuplicate(ConsentCookie, "tossed-by-a-sibling");
        jar.AddDuplicate(ConsentCookie, genuine[ConsentCookie]!);
        var consent = (await app.ProbeAsync(jar)).Consent;

        Assert.True(consent.GetProperty("decided").GetBoolean());
        Assert.Equal(consentId, consent.GetProperty("consentId").GetString());
        Assert.True(consent.Categories()["preferences"]);
        Assert.False(consent.Categories()["analytics"]);
        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal(ConsentCookie, measurement.Tags["cookie"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_planted_acceptance_issued_to_another_browser_does_not_override_this_browsers_refusal(bool plantedFirst)
    {
        await using var app = await StartConsentAppAsync("OptOut");
        using var combined = app.CollectMetric("firstparty.consent.combined");
        var attacker = new CookieJar();
        var plantedId = (await app.ChooseAsync(attacker, "accept-all", json: true)).Json().GetProperty("consentId").GetString();
        var victim = new CookieJar();
        var refusalId = (await app.ChooseAsync(victim, "reject-all", json: true)).Json().GetProperty("consentId").GetString();

        var both = new CookieJar();
        both.AddDuplicate(ConsentCookie, plantedFirst ? attacker[ConsentCookie]! : victim[ConsentCookie]!);
        both.AddDuplicate(ConsentCookie, plantedFirst ? victim[ConsentCookie]! : attacker[ConsentCookie]!);
        var (probe, consent) = await app.ProbeAsync(both);
        var page = await app.NavigateAsync("/", both);

        Assert.True(consent.GetProperty("decided").GetBoolean());
        Assert.Equal("reject-all", consent.GetProperty("source").GetString());
        Assert.Equal(new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = false, ["marketing"] = false }, consent.Categories());
        Assert.Equal(JsonValueKind.Null, consent.GetProperty("visitorId").ValueKind);
        Assert.Null(page.Visitor);
        Assert.DoesNotContain(page.SetCookies, c => c.Name == TestApp.VisitorCookie && !RawResponse.IsDeletion(c));

        // Neither browser's id: the planted one never becomes the key of this browser's receipts.
        var combinedId = consent.GetProperty("consentId").GetString();
        Assert.NotEqual(refusalId, combinedId);
        Assert.NotEqual(plantedId, combinedId);
        Assert.Equal(2, combined.GetMeasurementSnapshot().Count);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Name == "ConsentCookiesCombined" && r.Message.Contains(combinedId!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_decision_made_with_a_planted_cookie_present_is_not_filed_under_the_planted_consent_id()
    {
        await using var app = await StartConsentAppAsync();
        var attacker = new CookieJar();
        var attackerId = (await app.ChooseAsync(attacker, "reject-all", json: true)).Json().GetProperty("consentId").GetString()!;
        var victim = new CookieJar();
        await app.ChooseAsync(victim, "reject-all");
        victim.AddDuplicate(ConsentCookie, attacker[ConsentCookie]!);

        var accepted = await app.ChooseAsync(victim, "accept-all", json: true);
        var history = (await app.SendRawAsync(HttpMethod.Get, ConsentPath + "/receipts", attacker)).Json();

        Assert.NotEqual(attackerId, accepted.Json().GetProperty("consentId").GetString());
        Assert.All(history.GetProperty("records").EnumerateArray(), r => Assert.Equal("reject-all", r.GetProperty("collectionMethod").GetString()));
        Assert.Single(history.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task A_decision_deletes_the_copies_it_can_reach_before_writing_the_new_cookie()
    {
        await using var app = await StartConsentAppAsync();
        var first = new CookieJar();
        await app.ChooseAsync(first, "reject-all");
        var jar = new CookieJar();
        jar.AddDuplicate(ConsentCookie, first[ConsentCookie]!);
        jar.AddDuplicate(ConsentCookie, first[ConsentCookie]!);

        var response = await app.ChooseAsync(jar, "accept-all");

        var named = response.Named(ConsentCookie);
        Assert.True(named.Count >= 2);
        Assert.True(RawResponse.IsDeletion(named[0]));
        Assert.False(RawResponse.IsDeletion(named[^1]));
        Assert.Single(named, c => !RawResponse.IsDeletion(c));
        var consent = (await app.ProbeAsync(jar)).Consent;
        Assert.True(consent.Categories()["analytics"]);
    }

    [Fact]
    public async Task A_host_prefixed_consent_cookie_is_written_host_only_and_secure_and_read_back()
    {
        // The documented choice for sites that do not share consent across subdomains: no one else can plant it.
        await using var app = await StartConsentAppAsync(configure: o =>
        {
            o.Configuration["FirstParty:Consent:CookieName"] = "__Host-fp_consent";
            o.Configuration["FirstParty:Cookies:Secure"] = "Always";
            o.BaseAddress = new Uri("https://www.example.com/");
        });
        var jar = new CookieJar();

        var response = await app.ChooseAsync(jar, "custom", categories: ["preferences"]);
        var consent = (await app.ProbeAsync(jar)).Consent;

        var written = response.Written("__Host-fp_consent");
        Assert.NotNull(written);
        Assert.True(written.Secure);
        Assert.Null(written.Domain.Value);
        Assert.Equal("/", written.Path.Value);
        Assert.True(consent.GetProperty("decided").GetBoolean());
        Assert.True(consent.Categories()["preferences"]);
    }

    [Fact]
    public async Task A_single_consent_cookie_is_written_without_a_deletion()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all");

        var response = await app.ChooseAsync(jar, "accept-all");

        Assert.Single(response.Named(ConsentCookie));
    }

    [Fact]
    public async Task A_genuine_consent_value_under_the_visitor_cookie_name_is_rejected()
    {
        // Each cookie has its own purpose: a consent value is not a visitor value.
        await using var app = await StartConsentAppAsync("Implied");
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all");
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");

        var swapped = new CookieJar { [TestApp.VisitorCookie] = jar[ConsentCookie] };
        var consent = (await app.ProbeAsync(swapped)).Consent;

        Assert.False(consent.GetProperty("decided").GetBoolean());
        Assert.Contains(rejected.GetMeasurementSnapshot(), m => Equals(m.Tags["cookie"], TestApp.VisitorCookie));
    }

    // ---- regions ---------------------------------------------------------------------------

    private static Task<TestApp> StartRegionalAppAsync(Action<TestAppOptions>? configure = null)
        => StartConsentAppAsync("OptIn", o =>
        {
            o.Configuration["FirstParty:Consent:RegionHeader"] = "X-Region";
            o.Configuration["FirstParty:Consent:Regions:US-CA"] = "OptOut";
            o.Configuration["FirstParty:Consent:Regions:EEA"] = "OptIn";
            o.Configuration["FirstParty:Consent:Regions:US"] = "Implied";
            configure?.Invoke(o);
        });

    [Theory]
    [InlineData("US-CA")]
    [InlineData("us_ca")]
    [InlineData("us-ca")]
    public async Task A_region_under_opt_out_gets_visitor_cookies_without_a_decision(string header)
    {
        await using var app = await StartRegionalAppAsync();
        var page = await app.NavigateAsync("/", new CookieJar(), r => r.Headers.Add("X-Region", header));
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("X-Region", header))).Json();

        Assert.True(page.RequireVisitor().IsNewVisitor);
        Assert.NotNull(page.Cookie(TestApp.VisitorCookie));
        Assert.Equal("US-CA", state.GetProperty("region").GetString());
        Assert.Equal("OptOut", state.GetProperty("regime").GetString());
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.True(state.Categories()["analytics"]);
    }

    [Theory]
    [InlineData("FR")]
    [InlineData("NO")]
    public async Task An_EEA_region_under_opt_in_gets_nothing_before_a_decision(string region)
    {
        await using var app = await StartRegionalAppAsync();
        var page = await app.NavigateAsync("/", new CookieJar(), r => r.Headers.Add("X-Region", region));
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("X-Region", region))).Json();

        Assert.Null(page.Visitor);
        Assert.Empty(page.SetCookies);
        Assert.Equal(region, state.GetProperty("region").GetString());
        Assert.Equal("OptIn", state.GetProperty("regime").GetString());
        Assert.False(state.Categories()["analytics"]);
    }

    [Theory]
    [InlineData("US-NY", "US-NY", "Implied")] // the country entry
    [InlineData("CH", "CH", "OptIn")] // no entry: the default regime
    [InlineData(null, null, "OptIn")] // no header
    [InlineData("Mars", null, "OptIn")] // garbage: no region
    public async Task The_most_specific_region_entry_applies(string? header, string? region, string regime)
    {
        await using var app = await StartRegionalAppAsync();
        var state = (await app.GetStateAsync(null, r =>
        {
            if (header is not null)
            {
                r.Headers.Add("X-Region", header);
            }
        })).Json();

        Assert.Equal(region, state.GetProperty("region").GetString());
        Assert.Equal(regime, state.GetProperty("regime").GetString());
    }

    [Fact]
    public async Task A_separate_subdivision_header_is_joined_to_the_country()
    {
        await using var app = await StartRegionalAppAsync(o => o.Configuration["FirstParty:Consent:SubdivisionHeader"] = "X-Subdivision");
        var state = (await app.GetStateAsync(null, r =>
        {
            r.Headers.Add("X-Region", "US");
            r.Headers.Add("X-Subdivision", "CA");
        })).Json();

        Assert.Equal("US-CA", state.GetProperty("region").GetString());
        Assert.Equal("OptOut", state.GetProperty("regime").GetString());
    }

    [Fact]
    public async Task The_star_entry_replaces_the_default_regime()
    {
        await using var app = await StartRegionalAppAsync(o => o.Configuration["FirstParty:Consent:Regions:*"] = "Implied");
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("X-Region", "BR"))).Json();
        var eea = (await app.GetStateAsync(null, r => r.Headers.Add("X-Region", "DE"))).Json();

        Assert.Equal("Implied", state.GetProperty("regime").GetString());
        Assert.Equal("OptIn", eea.GetProperty("regime").GetString());
    }

    [Fact]
    public async Task The_decision_records_the_region_and_regime_and_it_survives_a_region_change()
    {
        await using var app = await StartRegionalAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all", configure: r => r.Headers.Add("X-Region", "US-CA"));

        // A refusal made in California still holds when the same browser shows up elsewhere.
        var state = (await app.GetStateAsync(jar, r => r.Headers.Add("X-Region", "US-NY"))).Json();
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal("US-NY", state.GetProperty("region").GetString());
        Assert.False(state.Categories()["analytics"]);
        var page = await app.NavigateAsync("/", jar, r => r.Headers.Add("X-Region", "US-NY"));
        Assert.Null(page.Visitor);
    }

    [Fact]
    public async Task A_failing_region_resolver_falls_back_to_the_default_regime()
    {
        await using var app = await StartConsentAppAsync("OptOut", o =>
        {
            var previous = o.ConfigureServices;
            o.ConfigureServices = s =>
            {
                previous?.Invoke(s);
                s.AddSingleton<IRegionResolver, ThrowingRegionResolver>();
            };
        });

        var state = await app.GetStateAsync(null);

        Assert.Equal(HttpStatusCode.OK, state.Status);
        Assert.Equal(JsonValueKind.Null, state.Json().GetProperty("region").ValueKind);
        Assert.Equal("OptOut", state.Json().GetProperty("regime").GetString());
    }

    private sealed class ThrowingRegionResolver : IRegionResolver
    {
        public string? ResolveRegion(HttpContext context) => throw new InvalidOperationException("GeoIP database missing");
    }

    // ---- Global Privacy Control and Do Not Track ----------------------------------------------

    [Fact]
    public async Task GPC_under_opt_out_refuses_marketing_only()
    {
        await using var app = await StartConsentAppAsync("OptOut");
        var jar = new CookieJar();
        var state = (await app.GetStateAsync(jar, r => r.Headers.Add("Sec-GPC", "1"))).Json();
        var page = await app.NavigateAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));

        Assert.True(state.GetProperty("gpc").GetBoolean());
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = true, ["analytics"] = true, ["marketing"] = false },
            state.Categories());
        Assert.True(page.RequireVisitor().IsNewVisitor);
    }

    [Fact]
    public async Task An_explicit_acceptance_beats_GPC()
    {
        await using var app = await StartConsentAppAsync("OptOut");
        var jar = new CookieJar();
        var decision = (await app.ChooseAsync(jar, "accept-all", json: true, configure: r => r.Headers.Add("Sec-GPC", "1"))).Json();
        var later = (await app.GetStateAsync(jar, r => r.Headers.Add("Sec-GPC", "1"))).Json();

        Assert.True(decision.GetProperty("gpc").GetBoolean());
        Assert.True(decision.Categories()["marketing"]);
        Assert.True(later.GetProperty("gpc").GetBoolean());
        Assert.True(later.Categories()["marketing"]);
    }

    [Theory]
    [InlineData("OptOut")]
    [InlineData("Implied")]
    [InlineData("OptIn")]
    public async Task GPC_after_an_earlier_acceptance_refuses_sale_and_sharing_records_one_receipt_and_deletes_its_cookies(string regime)
    {
        await using var app = await StartConsentAppAsync(regime, o =>
        {
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
            o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
            o.Configuration["FirstParty:Consent:Categories:2:SaleOrSharing"] = "true";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Key"] = "ads";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Name"] = "_ads";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Path"] = "/";
        });
        var jar = new CookieJar();
        var accepted = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();
        Assert.True(accepted.Categories()["marketing"]);
        jar["_ads"] = "set-by-the-ad-script";
        var writer = app.Services.GetRequiredService<FirstParty.AspNetCore.Ledger.ConsentLedgerWriter>();
        var consentId = accepted.GetProperty("consentId").GetString()!;

        app.Time.Advance(TimeSpan.FromDays(3));
        var signalled = await app.BrowseAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));
        var state = (await app.GetStateAsync(jar, r => r.Headers.Add("Sec-GPC", "1"))).Json();
        var again = await app.BrowseAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));

        Assert.Equal("gpc", state.GetProperty("source").GetString());
        Assert.Equal(consentId, state.GetProperty("consentId").GetString());
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["analytics"] = true, ["marketing"] = false },
            state.Categories());
        Assert.False(state.GetProperty("services").GetProperty("marketing/ads").GetBoolean());
        Assert.NotEmpty(signalled.Deletions("_ads"));
        Assert.NotNull(signalled.Written(ConsentCookie));
        Assert.Null(again.Written(ConsentCookie));

        var receipts = await writer.FindAsync(ReceiptSubject.Consent(consentId));
        Assert.Equal(["accept-all", "gpc"], receipts.OrderBy(r => r.Timestamp).Select(r => r.Source));
        var gpc = receipts.Single(r => r.Source == "gpc");
        Assert.True(gpc.GlobalPrivacyControl);
        Assert.Equal(["necessary", "analytics"], gpc.Granted);
        Assert.Equal(["marketing", "marketing/ads"], gpc.Denied);
    }

    [Fact]
    public async Task GPC_after_an_earlier_choice_of_a_sale_or_sharing_service_alone_refuses_it()
    {
        await using var app = await StartConsentAppAsync("OptOut", o =>
        {
            string[] keys = ["necessary", "preferences", "analytics", "marketing"];
            for (var i = 0; i < keys.Length; i++)
            {
                o.Configuration[$"FirstParty:Consent:Categories:{i}:Key"] = keys[i];
            }

            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:3:SaleOrSharing"] = "true";
            o.Configuration["FirstParty:Consent:Categories:3:Services:0:Key"] = "youtube";
            o.Configuration["FirstParty:Consent:Categories:3:Services:1:Key"] = "vimeo";
        });
        var jar = new CookieJar();
        await app.PostFormAsync(jar, [new("choice", "custom"), new("category", "analytics"), new("services-of", "marketing"), new("service", "marketing/vimeo")]);
        var before = (await app.GetStateAsync(jar)).Json();
        Assert.True(before.GetProperty("services").GetProperty("marketing/vimeo").GetBoolean());

        await app.BrowseAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));
        var state = (await app.GetStateAsync(jar)).Json();

        Assert.Equal("gpc", state.GetProperty("source").GetString());
        Assert.False(state.GetProperty("services").GetProperty("marketing/vimeo").GetBoolean());
        Assert.True(state.Categories()["analytics"]);
        Assert.False(state.Categories()["preferences"]);
    }

    [Fact]
    public async Task GPC_after_an_earlier_decision_without_sale_or_sharing_records_nothing()
    {
        await using var app = await StartConsentAppAsync("OptOut");
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "custom", categories: ["analytics"]);

        var page = await app.BrowseAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));
        var state = (await app.GetStateAsync(jar)).Json();

        Assert.Null(page.Written(ConsentCookie));
        Assert.Equal("custom", state.GetProperty("source").GetString());
    }

    [Fact]
    public async Task An_opt_in_made_while_GPC_is_sent_survives_later_requests_with_GPC()
    {
        await using var app = await StartConsentAppAsync("OptOut");
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");
        await app.BrowseAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));
        Assert.Equal("gpc", (await app.GetStateAsync(jar)).Json().GetProperty("source").GetString());

        // The person opts in again while the browser still sends the signal: that choice is honoured.
        await app.ChooseAsync(jar, "accept-all", configure: r => r.Headers.Add("Sec-GPC", "1"));
        var page = await app.BrowseAsync("/", jar, r => r.Headers.Add("Sec-GPC", "1"));
        var state = (await app.GetStateAsync(jar, r => r.Headers.Add("Sec-GPC", "1"))).Json();

        Assert.Null(page.Written(ConsentCookie));
        Assert.Equal("accept-all", state.GetProperty("source").GetString());
        Assert.True(state.Categories()["marketing"]);
    }

    [Theory]
    [InlineData("OptOut", "0", false)]
    [InlineData("OptOut", " 1 ", true)]
    [InlineData("OptOut", "true", false)]
    [InlineData("Implied", "1", true)]
    public async Task Only_a_GPC_value_of_1_counts(string regime, string value, bool signal)
    {
        await using var app = await StartConsentAppAsync(regime);
        var state = (await app.GetStateAsync(null, r => r.Headers.TryAddWithoutValidation("Sec-GPC", value))).Json();

        Assert.Equal(signal, state.GetProperty("gpc").GetBoolean());
        Assert.Equal(!signal, state.Categories()["marketing"]);
        Assert.True(state.Categories()["analytics"]);
    }

    [Fact]
    public async Task GPC_is_ignored_when_not_honoured()
    {
        await using var app = await StartConsentAppAsync("OptOut", o => o.Configuration["FirstParty:Consent:HonorGlobalPrivacyControl"] = "false");
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("Sec-GPC", "1"))).Json();

        Assert.False(state.GetProperty("gpc").GetBoolean());
        Assert.True(state.Categories()["marketing"]);
    }

    [Fact]
    public async Task GPC_under_opt_in_changes_nothing_before_a_decision()
    {
        await using var app = await StartConsentAppAsync();
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("Sec-GPC", "1"))).Json();

        Assert.True(state.GetProperty("gpc").GetBoolean());
        Assert.DoesNotContain(state.Categories(), c => c.Key != "necessary" && c.Value);
    }

    [Fact]
    public async Task DNT_is_ignored_by_default()
    {
        await using var app = await StartConsentAppAsync("OptOut");
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("DNT", "1"))).Json();

        Assert.False(state.GetProperty("gpc").GetBoolean());
        Assert.True(state.Categories()["marketing"]);
    }

    [Fact]
    public async Task DNT_is_honoured_when_enabled()
    {
        await using var app = await StartConsentAppAsync("OptOut", o => o.Configuration["FirstParty:Consent:HonorDoNotTrack"] = "true");
        var state = (await app.GetStateAsync(null, r => r.Headers.Add("DNT", "1"))).Json();
        var without = (await app.GetStateAsync(null)).Json();

        Assert.True(state.GetProperty("gpc").GetBoolean());
        Assert.False(state.Categories()["marketing"]);
        Assert.True(state.Categories()["analytics"]);
        Assert.False(without.GetProperty("gpc").GetBoolean());
        Assert.True(without.Categories()["marketing"]);
    }

    // ---- /.well-known/gpc.json ---------------------------------------------------------------

    [Fact]
    public async Task The_gpc_well_known_resource_reports_the_last_update()
    {
        await using var app = await StartConsentAppAsync("Implied", o => o.Configuration["FirstParty:Endpoints:GlobalPrivacyControlLastUpdate"] = "2025-12-01");
        var response = await app.BrowseAsync("/.well-known/gpc.json", new CookieJar());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("application/json", response.ContentType);
        Assert.Empty(response.RawSetCookies);
        var json = response.Json();
        Assert.Equal(["gpc", "lastUpdate"], json.EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("gpc").GetBoolean());
        Assert.Equal("2025-12-01", json.GetProperty("lastUpdate").GetString());
    }

    [Fact]
    public async Task The_gpc_well_known_resource_omits_an_unknown_last_update()
    {
        await using var app = await StartConsentAppAsync();
        var response = await app.SendRawAsync(HttpMethod.Get, "/.well-known/gpc.json", null);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var json = response.Json();
        Assert.Equal(["gpc"], json.EnumerateObject().Select(p => p.Name));
        Assert.True(json.GetProperty("gpc").GetBoolean());
    }

    [Fact]
    public async Task There_is_no_gpc_well_known_resource_when_GPC_is_not_honoured()
    {
        await using var app = await StartConsentAppAsync(configure: o => o.Configuration["FirstParty:Consent:HonorGlobalPrivacyControl"] = "false");
        var response = await app.SendRawAsync(HttpMethod.Get, "/.well-known/gpc.json", null);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
    }
}
