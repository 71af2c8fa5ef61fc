using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The consent endpoints under /_fp: choices, answers, cookies, ledger, metrics and hardening.</summary>
public sealed class ConsentEndpointsTests
{
    private static readonly Regex UuidV4 = new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", RegexOptions.CultureInvariant);

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    [Fact]
    public async Task The_state_has_the_documented_shape_before_a_decision()
    {
        await using var app = await StartConsentAppAsync();
        var response = await app.GetStateAsync(new CookieJar());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("application/json", response.ContentType);
        Assert.Empty(response.RawSetCookies);

        var state = response.Json();
        Assert.Equal(
            ["decided", "consentId", "revision", "regime", "region", "gpc", "decidedAt", "expiresAt", "source", "categories", "services", "visitor"],
            state.EnumerateObject().Select(p => p.Name));
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("consentId").ValueKind);
        Assert.Equal(1, state.GetProperty("revision").GetInt32());
        Assert.Equal("OptIn", state.GetProperty("regime").GetString());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("region").ValueKind);
        Assert.False(state.GetProperty("gpc").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("decidedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("expiresAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("source").ValueKind);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("visitor").ValueKind);
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = false, ["marketing"] = false },
            state.Categories());
    }

    [Fact]
    public async Task The_state_after_accept_all_has_the_decision_and_the_visitor()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "accept-all", json: true);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Null(response.Location);
        var state = response.Json();
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Matches(UuidV4, state.GetProperty("consentId").GetString());
        Assert.Equal("accept-all", state.GetProperty("source").GetString());
        Assert.Equal(TestAppOptions.DefaultStart, state.GetProperty("decidedAt").GetDateTimeOffset());
        Assert.Equal(TestAppOptions.DefaultStart.AddDays(395), state.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.All(state.Categories(), c => Assert.True(c.Value, c.Key));
        Assert.Equal(AllCategories, state.Categories().Keys);

        var visitor = state.GetProperty("visitor");
        Assert.Matches(UuidV4, visitor.GetProperty("id").GetString());
        Assert.Matches(UuidV4, visitor.GetProperty("sessionId").GetString());
        Assert.Equal(1, visitor.GetProperty("sessionIndex").GetInt32());
        Assert.True(visitor.GetProperty("newSession").GetBoolean());

        // The state endpoint agrees on the next request.
        var again = (await app.GetStateAsync(jar)).Json();
        Assert.True(again.GetProperty("decided").GetBoolean());
        Assert.Equal(state.GetProperty("consentId").GetString(), again.GetProperty("consentId").GetString());
        Assert.Equal(visitor.GetProperty("id").GetString(), again.GetProperty("visitor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Accept_all_redirects_to_the_return_url_and_sets_consent_and_visitor_cookies_on_that_response()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var response = await app.PostFormAsync(jar, [new("choice", "accept-all"), new("returnUrl", "/page?x=1")]);

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/page?x=1", response.Location);

        var consent = Assert.IsType<SetCookieHeaderValue>(response.Written(ConsentCookie));
        Assert.True(consent.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, consent.SameSite);
        Assert.Equal("/", consent.Path.ToString());
        Assert.Equal(TimeSpan.FromDays(395), consent.MaxAge);
        Assert.Null(consent.Expires); // Max-Age alone
        Assert.False(consent.Secure);

        var visitorCookie = Assert.IsType<SetCookieHeaderValue>(response.Written(TestApp.VisitorCookie));
        Assert.Equal(TimeSpan.FromDays(395), visitorCookie.MaxAge);
        Assert.True(visitorCookie.HttpOnly);
        Assert.IsType<SetCookieHeaderValue>(response.Written(TestApp.SessionCookie));
        Assert.Empty(response.Deletions(TestApp.VisitorCookie));
        Assert.Equal(3, response.SetCookies.Count);

        // The next navigation continues that visitor without minting another.
        var minted = await app.NavigateAsync("/", jar);
        Assert.False(minted.RequireVisitor().IsNewVisitor);
        Assert.Null(minted.Cookie(TestApp.VisitorCookie));
    }

    [Fact]
    public async Task Reject_all_keeps_the_refusal_182_days_and_mints_no_visitor_cookies()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "reject-all");

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/", response.Location);
        var consent = Assert.IsType<SetCookieHeaderValue>(response.Written(ConsentCookie));
        Assert.Equal(TimeSpan.FromDays(182), consent.MaxAge);
        Assert.Null(consent.Expires);
        Assert.True(consent.HttpOnly);
        Assert.Null(response.Written(TestApp.VisitorCookie));
        Assert.Null(response.Written(TestApp.SessionCookie));

        var state = (await app.GetStateAsync(jar)).Json();
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal("reject-all", state.GetProperty("source").GetString());
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = false, ["marketing"] = false },
            state.Categories());

        var navigation = await app.NavigateAsync("/", jar);
        Assert.Null(navigation.Visitor);
        Assert.DoesNotContain(navigation.SetCookies, c => !RawResponse.IsDeletion(c));
    }

    [Fact]
    public async Task Reject_all_deletes_visitor_cookies_host_only_and_on_the_registrable_domain()
    {
        await using var app = await StartConsentAppAsync(configure: o => o.BaseAddress = new Uri("http://www.example.co.uk/"));
        var jar = await app.JarWithVisitorCookiesAsync();

        var response = await app.ChooseAsync(jar, "reject-all");

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        var consent = Assert.IsType<SetCookieHeaderValue>(response.Written(ConsentCookie));
        Assert.Equal(TimeSpan.FromDays(182), consent.MaxAge);
        foreach (var name in new[] { TestApp.VisitorCookie, TestApp.SessionCookie })
        {
            Assert.Null(response.Written(name));
            var deletions = response.Named(name);
            Assert.Equal(2, deletions.Count);
            Assert.All(deletions, d =>
            {
                Assert.Equal(string.Empty, d.Value.ToString());
                Assert.Equal(TimeSpan.Zero, d.MaxAge);
                Assert.Equal(Epoch, d.Expires);
                Assert.Equal("/", d.Path.ToString());
                Assert.False(d.Secure);
            });
            Assert.Single(deletions, d => d.Domain.Value is null);
            Assert.Single(deletions, d => d.Domain.ToString() == "example.co.uk");
        }

        Assert.All(
            response.RawSetCookies.Where(h => !h.StartsWith(ConsentCookie + "=", StringComparison.Ordinal)),
            raw =>
            {
                Assert.Contains("expires=Thu, 01 Jan 1970 00:00:00 GMT", raw, StringComparison.Ordinal);
                Assert.Contains("max-age=0", raw, StringComparison.Ordinal);
                Assert.Contains("path=/", raw, StringComparison.Ordinal);
            });
        Assert.Null(jar[TestApp.VisitorCookie]);
        Assert.Null(jar[TestApp.SessionCookie]);
    }

    [Fact]
    public async Task Custom_grants_exactly_the_chosen_categories()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "custom", json: true, categories: ["analytics"]);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var state = response.Json();
        Assert.Equal("custom", state.GetProperty("source").GetString());
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = true, ["marketing"] = false },
            state.Categories());
        Assert.NotNull(response.Written(TestApp.VisitorCookie));
        Assert.Equal(TimeSpan.FromDays(395), response.Written(ConsentCookie)!.MaxAge);
    }

    [Fact]
    public async Task Custom_without_the_visitor_category_mints_no_visitor_cookies_but_is_an_acceptance()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "custom", json: true, categories: ["marketing", "necessary"]);

        var state = response.Json();
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["preferences"] = false, ["analytics"] = false, ["marketing"] = true },
            state.Categories());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("visitor").ValueKind);
        Assert.Null(response.Written(TestApp.VisitorCookie));
        Assert.Equal(TimeSpan.FromDays(395), response.Written(ConsentCookie)!.MaxAge);
    }

    [Fact]
    public async Task Custom_with_no_category_is_a_refusal()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var response = await app.ChooseAsync(jar, "custom", json: true);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(TimeSpan.FromDays(182), response.Written(ConsentCookie)!.MaxAge);
        Assert.DoesNotContain(response.Json().Categories(), c => c.Key != "necessary" && c.Value);
    }

    private static void ConfigureServiceCategories(TestAppOptions o)
    {
        o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
        o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
        o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
        o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
        o.Configuration["FirstParty:Consent:Categories:2:SaleOrSharing"] = "true";
        o.Configuration["FirstParty:Consent:Categories:2:Services:0:Key"] = "youtube";
        o.Configuration["FirstParty:Consent:Categories:2:Services:1:Key"] = "vimeo";
    }

    [Fact]
    public async Task Custom_records_services_chosen_one_by_one()
    {
        await using var app = await StartConsentAppAsync(configure: ConfigureServiceCategories);
        var jar = new CookieJar();
        var response = await app.PostFormAsync(jar, [new("choice", "custom"), new("service", "marketing/youtube"), new("service", "marketing/youtube")], json: true);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var state = response.Json();
        Assert.Equal(
            new Dictionary<string, bool> { ["necessary"] = true, ["analytics"] = false, ["marketing"] = false },
            state.Categories());
        Assert.Equal(TimeSpan.FromDays(395), response.Written(ConsentCookie)!.MaxAge);

        var receipt = Assert.Single(await app.Services.GetRequiredService<FirstParty.AspNetCore.Ledger.ConsentLedgerWriter>().FindAsync(ReceiptSubject.Consent(state.GetProperty("consentId").GetString()!)));
        Assert.Equal(["necessary", "marketing/youtube"], receipt.Granted);
        Assert.Equal(["analytics", "marketing", "marketing/vimeo"], receipt.Denied);

        var consent = (await app.ProbeAsync(jar)).Consent;
        Assert.True(consent.GetProperty("decided").GetBoolean());
        Assert.False(consent.Categories()["marketing"]);
    }

    [Theory]
    [InlineData("marketing/dailymotion")]
    [InlineData("analytics/youtube")]
    [InlineData("youtube")]
    [InlineData("marketing/")]
    public async Task Custom_with_an_unknown_service_is_rejected(string service)
    {
        await using var app = await StartConsentAppAsync(configure: ConfigureServiceCategories);
        var jar = new CookieJar();
        var response = await app.PostFormAsync(jar, [new("choice", "custom"), new("service", service)]);

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Withdraw_denies_everything_optional_deletes_visitor_cookies_and_keeps_the_consent_id()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var accepted = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();
        var consentId = accepted.GetProperty("consentId").GetString();

        var response = await app.ChooseAsync(jar, "withdraw", json: true);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var state = response.Json();
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal(consentId, state.GetProperty("consentId").GetString());
        Assert.Equal("withdraw", state.GetProperty("source").GetString());
        Assert.DoesNotContain(state.Categories(), c => c.Key != "necessary" && c.Value);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("visitor").ValueKind);
        Assert.Equal(TimeSpan.FromDays(182), response.Written(ConsentCookie)!.MaxAge);
        Assert.Single(response.Deletions(TestApp.VisitorCookie));
        Assert.Single(response.Deletions(TestApp.SessionCookie));
        Assert.Null(response.Written(TestApp.VisitorCookie));
        Assert.Null(jar[TestApp.VisitorCookie]);
    }

    [Fact]
    public async Task A_later_decision_keeps_the_consent_id_and_accepting_again_mints_a_new_visitor()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var first = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();
        await app.ChooseAsync(jar, "reject-all");
        var again = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();

        Assert.Equal(first.GetProperty("consentId").GetString(), again.GetProperty("consentId").GetString());
        Assert.NotEqual(
            first.GetProperty("visitor").GetProperty("id").GetString(),
            again.GetProperty("visitor").GetProperty("id").GetString());
    }

    [Fact]
    public async Task Delete_with_a_header_token_withdraws()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var consentId = (await app.ChooseAsync(jar, "accept-all", json: true)).Json().GetProperty("consentId").GetString();

        var token = app.IssueAntiforgery(jar);
        var response = await app.SendRawAsync(HttpMethod.Delete, ConsentPath + "?returnUrl=%2Fpage", jar, r => r.Headers.Add("RequestVerificationToken", token));

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/page", response.Location);
        Assert.Equal(TimeSpan.FromDays(182), response.Written(ConsentCookie)!.MaxAge);
        Assert.Single(response.Deletions(TestApp.VisitorCookie));
        var state = (await app.GetStateAsync(jar)).Json();
        Assert.Equal("withdraw", state.GetProperty("source").GetString());
        Assert.Equal(consentId, state.GetProperty("consentId").GetString());
        Assert.False(state.Categories()["analytics"]);
    }

    [Fact]
    public async Task Delete_without_a_token_is_rejected()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var response = await app.SendRawAsync(HttpMethod.Delete, ConsentPath, jar);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(response.RawSetCookies);
        Assert.True((await app.GetStateAsync(jar)).Json().Categories()["analytics"]);
    }

    [Fact]
    public async Task Forget_deletes_every_cookie_and_asks_the_browser_to_clear_storage()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var response = await app.PostFormAsync(jar, [new("returnUrl", "/page")], path: ForgetPath);

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/page", response.Location);
        Assert.Equal("\"storage\"", response.Header("Clear-Site-Data"));
        foreach (var name in new[] { ConsentCookie, TestApp.VisitorCookie, TestApp.SessionCookie })
        {
            var deletion = Assert.Single(response.Named(name));
            Assert.Equal(TimeSpan.Zero, deletion.MaxAge);
            Assert.Equal(Epoch, deletion.Expires);
            Assert.Equal("/", deletion.Path.ToString());
        }

        Assert.Null(jar[ConsentCookie]);
        Assert.Null(jar[TestApp.VisitorCookie]);
        var state = (await app.GetStateAsync(jar)).Json();
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("consentId").ValueKind);
    }

    [Fact]
    public async Task Forget_answers_json_with_the_fresh_undecided_state()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var response = await app.PostFormAsync(jar, [], json: true, path: ForgetPath);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("\"storage\"", response.Header("Clear-Site-Data"));
        var state = response.Json();
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Equal(JsonValueKind.Null, state.GetProperty("consentId").ValueKind);
        Assert.Equal(JsonValueKind.Null, state.GetProperty("visitor").ValueKind);
        Assert.Single(response.Deletions(ConsentCookie));
    }

    [Fact]
    public async Task Forget_with_a_header_token_still_reads_the_return_url_from_the_form()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");
        var token = app.IssueAntiforgery(jar);

        var response = await app.SendRawAsync(HttpMethod.Post, ForgetPath, jar, r =>
        {
            r.Headers.Add("RequestVerificationToken", token);
            r.Content = new FormUrlEncodedContent([new("returnUrl", "/page?from=forget")]);
        });

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/page?from=forget", response.Location);
        Assert.Single(response.Deletions(ConsentCookie));
    }

    [Fact]
    public async Task Forget_on_the_registrable_domain_deletes_host_only_and_domain_cookies()
    {
        await using var app = await StartConsentAppAsync(configure: o => o.BaseAddress = new Uri("http://www.example.co.uk/"));
        var jar = await app.JarWithVisitorCookiesAsync();

        var response = await app.PostFormAsync(jar, [], path: ForgetPath);

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        foreach (var name in new[] { ConsentCookie, TestApp.VisitorCookie, TestApp.SessionCookie })
        {
            var deletions = response.Named(name);
            Assert.Equal(2, deletions.Count);
            Assert.All(deletions, d => Assert.Equal(TimeSpan.Zero, d.MaxAge));
            Assert.Single(deletions, d => d.Domain.Value is null);
            Assert.Single(deletions, d => d.Domain.ToString() == "example.co.uk");
        }
    }

    [Fact]
    public async Task Forget_without_a_token_is_rejected()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var response = await app.PostFormAsync(jar, [], token: false, path: ForgetPath);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Empty(response.RawSetCookies);
        Assert.Null(response.Header("Clear-Site-Data"));
    }

    [Fact]
    public async Task The_ledger_receives_one_receipt_per_decision()
    {
        await using var app = await StartConsentAppAsync(configure: o =>
        {
            o.Configuration["FirstParty:Consent:RegionHeader"] = "X-Region";
            o.Configuration["FirstParty:Consent:Regions:EEA"] = "OptIn";
        });
        var jar = new CookieJar();
        var state = (await app.ChooseAsync(jar, "accept-all", json: true, configure: r => r.Headers.Add("X-Region", "FR"))).Json();
        var consentId = state.GetProperty("consentId").GetString()!;
        var visitorId = state.GetProperty("visitor").GetProperty("id").GetString();
        var ledger = app.Services.GetRequiredService<FirstParty.AspNetCore.Ledger.ConsentLedgerWriter>();

        var receipt = Assert.Single(await ledger.FindAsync(ReceiptSubject.Consent(consentId)));
        Assert.Equal(consentId, receipt.ConsentId);
        Assert.Matches(UuidV4, receipt.ReceiptId);
        Assert.Equal(visitorId, receipt.VisitorId);
        Assert.Equal("accept-all", receipt.Source);
        Assert.Equal(AllCategories, receipt.Granted);
        Assert.Empty(receipt.Denied);
        Assert.Equal(1, receipt.Revision);
        Assert.Equal(ConsentRegime.OptIn, receipt.Regime);
        Assert.Equal("FR", receipt.Region);
        Assert.False(receipt.GlobalPrivacyControl);
        Assert.Equal(app.Time.GetUtcNow(), receipt.Timestamp);
        Assert.Equal(app.Time.GetUtcNow().AddDays(395), receipt.ExpiresAt);

        app.Time.Advance(TimeSpan.FromMinutes(5));
        await app.ChooseAsync(jar, "custom", configure: r => r.Headers.Add("Sec-GPC", "1"), categories: ["preferences"]);

        var receipts = await ledger.FindAsync(ReceiptSubject.Consent(consentId));
        Assert.Equal(2, receipts.Count);
        var second = receipts[1];
        Assert.NotEqual(receipt.ReceiptId, second.ReceiptId);
        Assert.Equal("custom", second.Source);
        Assert.Equal(["necessary", "preferences"], second.Granted);
        Assert.Equal(["analytics", "marketing"], second.Denied);
        Assert.Null(second.VisitorId);
        Assert.True(second.GlobalPrivacyControl);
        Assert.Null(second.Region);
        Assert.Equal(TestAppOptions.DefaultStart.AddMinutes(5), second.Timestamp);
    }

    [Fact]
    public async Task A_refusal_receipt_has_no_visitor_id()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var consentId = (await app.ChooseAsync(jar, "reject-all", json: true)).Json().GetProperty("consentId").GetString()!;

        var receipt = Assert.Single(await app.Services.GetRequiredService<FirstParty.AspNetCore.Ledger.ConsentLedgerWriter>().FindAsync(ReceiptSubject.Consent(consentId)));
        Assert.Null(receipt.VisitorId);
        Assert.Equal(["necessary"], receipt.Granted);
        Assert.Equal(["preferences", "analytics", "marketing"], receipt.Denied);
        Assert.Equal(app.Time.GetUtcNow().AddDays(182), receipt.ExpiresAt);
    }

    [Fact]
    public async Task Decisions_are_counted_by_source_regime_and_signal()
    {
        await using var app = await StartConsentAppAsync("OptOut");
        using var decisions = app.CollectMetric("firstparty.consent.decisions");
        var jar = new CookieJar();

        await app.ChooseAsync(jar, "accept-all");
        await app.ChooseAsync(jar, "reject-all", configure: r => r.Headers.Add("Sec-GPC", "1"));

        var measurements = decisions.GetMeasurementSnapshot();
        Assert.Equal(2, measurements.Count);
        Assert.All(measurements, m => Assert.Equal(1, m.Value));
        Assert.Equal("accept-all", measurements[0].Tags["source"]);
        Assert.Equal("OptOut", measurements[0].Tags["regime"]);
        Assert.Equal(false, measurements[0].Tags["gpc"]);
        Assert.Equal("reject-all", measurements[1].Tags["source"]);
        Assert.Equal("OptOut", measurements[1].Tags["regime"]);
        Assert.Equal(true, measurements[1].Tags["gpc"]);
    }

    [Fact]
    public async Task Decisions_are_counted_by_country_revision_and_layer()
    {
        await using var app = await StartConsentAppAsync("OptIn", o =>
        {
            o.Configuration["FirstParty:Consent:RegionHeader"] = "X-Region";
            o.Configuration["FirstParty:Consent:Revision"] = "4";
        });
        using var decisions = app.CollectMetric("firstparty.consent.decisions");
        Action<HttpRequestMessage> inCalifornia = r => r.Headers.Add("X-Region", "US-CA");

        await app.PostFormAsync(new CookieJar(), [new("choice", "accept-all"), new("layer", "first")], configure: inCalifornia);
        await app.PostFormAsync(new CookieJar(), [new("choice", "reject-all"), new("layer", "second")]);
        await app.PostFormAsync(new CookieJar(), [new("choice", "custom"), new("layer", "first"), new("category", "analytics")]);
        await app.PostFormAsync(new CookieJar(), [new("choice", "accept-all"), new("layer", "<script>")]);
        await app.ChooseAsync(new CookieJar(), "reject-all");

        var measurements = decisions.GetMeasurementSnapshot();
        Assert.Equal(["first", "second", "second", "none", "none"], measurements.Select(m => m.Tags["layer"]));
        Assert.Equal(["US", "unknown", "unknown", "unknown", "unknown"], measurements.Select(m => m.Tags["region"]));
        Assert.All(measurements, m => Assert.Equal(4, m.Tags["revision"]));
        Assert.All(measurements, m => Assert.Equal(6, m.Tags.Count));
    }

    // ---- hardening -------------------------------------------------------------------------

    /// <param name="jar">The jar that made the request, with the response's cookies applied: a fresh
    /// one would be undecided whatever the endpoint did.</param>
    private static async Task AssertRejectedAsync(TestApp app, CookieJar jar, RawResponse response, HttpStatusCode status)
    {
        Assert.Equal(status, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        var problem = response.Json();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        Assert.Empty(response.RawSetCookies);
        Assert.Null(response.Location);

        var state = (await app.GetStateAsync(jar)).Json();
        Assert.False(state.GetProperty("decided").GetBoolean());
        Assert.Null(jar[ConsentCookie]);
        Assert.DoesNotContain(state.Categories(), c => c.Key != "necessary" && c.Value);
    }

    [Fact]
    public async Task A_post_without_an_antiforgery_token_is_rejected_and_sets_nothing()
    {
        await using var app = await StartConsentAppAsync();
        using var decisions = app.CollectMetric("firstparty.consent.decisions");
        var jar = new CookieJar();

        var response = await app.PostFormAsync(jar, [new("choice", "accept-all")], token: false);

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
        Assert.Empty(decisions.GetMeasurementSnapshot());
        Assert.Null(jar[ConsentCookie]);
    }

    [Fact]
    public async Task A_post_with_only_the_request_token_is_rejected()
    {
        await using var app = await StartConsentAppAsync();
        var tokens = app.GetAntiforgeryTokens();

        var jar = new CookieJar();

        var response = await app.PostFormAsync(jar, [new("choice", "accept-all"), new("__RequestVerificationToken", tokens.RequestToken!)], token: false);

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_post_with_a_garbage_request_token_is_rejected()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        app.IssueAntiforgery(jar);

        var response = await app.PostFormAsync(jar, [new("choice", "accept-all"), new("__RequestVerificationToken", "CfDJ8garbage")], token: false);

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_token_pair_issued_by_another_app_is_rejected()
    {
        await using var app = await StartConsentAppAsync();
        await using var other = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = other.IssueAntiforgery(jar);
        jar[app.AntiforgeryCookieName()] = jar[other.AntiforgeryCookieName()];

        var response = await app.PostFormAsync(jar, [new("choice", "accept-all"), new("__RequestVerificationToken", token)], token: false);

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_form_post_with_the_token_in_the_header_is_accepted()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);

        var response = await app.PostFormAsync(jar, [new("choice", "reject-all")], token: false, configure: r => r.Headers.Add("RequestVerificationToken", token));

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.NotNull(response.Written(ConsentCookie));
    }

    [Fact]
    public async Task A_multipart_form_is_accepted()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r => r.Content = new MultipartFormDataContent
        {
            { new StringContent("custom"), "choice" },
            { new StringContent("preferences"), "category" },
            { new StringContent(token), "__RequestVerificationToken" },
        });

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        var state = (await app.GetStateAsync(jar)).Json();
        Assert.True(state.Categories()["preferences"]);
        Assert.False(state.Categories()["analytics"]);
    }

    public static TheoryData<string[]> BadChoices() => new()
    {
        new[] { "choice", "bogus" },
        new[] { "choice", "Accept-All" },
        new[] { "choice", "" },
        new[] { "choice", "accept-all", "choice", "reject-all" },
        new[] { "choice", "accept-all", "choice", "accept-all" },
        new[] { "category", "analytics" }, // no choice at all
        new[] { "choice", "custom", "category", "bogus" },
        new[] { "choice", "custom", "category", "analytics", "category", "Analytics" },
        new[] { "choice", "custom", "category", new string('x', 300) },
    };

    [Theory]
    [MemberData(nameof(BadChoices))]
    public async Task A_bad_choice_or_category_is_rejected(string[] fields)
    {
        await using var app = await StartConsentAppAsync();
        var pairs = fields.Chunk(2).Select(p => new KeyValuePair<string, string>(p[0], p[1]));

        var jar = new CookieJar();

        var response = await app.PostFormAsync(jar, pairs);

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_body_declared_over_8_KB_is_rejected_with_413()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);
        var body = $"choice=accept-all&__RequestVerificationToken={Uri.EscapeDataString(token)}&pad={new string('a', 8 * 1024)}";

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r =>
            r.Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_forget_body_declared_over_8_KB_is_rejected_with_413()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);
        var body = $"__RequestVerificationToken={Uri.EscapeDataString(token)}&pad={new string('a', 9000)}";

        var response = await app.SendRawAsync(HttpMethod.Post, ForgetPath, jar, r =>
            r.Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Empty(response.RawSetCookies);
    }

    [Fact]
    public async Task A_body_over_8_KB_without_a_content_length_is_rejected_too()
    {
        // A consent form is a handful of short fields (FormBody.MaxBodyBytes): the limit
        // must hold for a chunked body as well as for one that declares its length.
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);
        var pads = string.Concat(Enumerable.Range(0, 10).Select(i => $"&pad{i}={new string('a', 2000)}"));
        var body = $"choice=accept-all&__RequestVerificationToken={Uri.EscapeDataString(token)}{pads}";

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r => r.Content = new ChunkedContent(body, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Null(response.Written(ConsentCookie));
    }

    [Theory]
    [InlineData("application/json", "{\"choice\":\"accept-all\"}")]
    [InlineData("text/plain", "choice=accept-all")]
    public async Task A_body_that_is_not_a_form_is_rejected_with_415(string contentType, string body)
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r =>
        {
            r.Headers.Add("RequestVerificationToken", token);
            r.Content = new StringContent(body, Encoding.UTF8, contentType);
        });

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_post_without_a_body_is_rejected_with_415()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r => r.Headers.Add("RequestVerificationToken", token));

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData("choice=accept-all&x=%00")] // a control character in a value
    [InlineData("choice=accept-all&x=a%00b")]
    [InlineData("choice=accept-all&k%00=v")] // and in a key
    public async Task A_malformed_form_is_rejected_with_400_not_413(string fields)
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);
        var body = $"{fields}&__RequestVerificationToken={Uri.EscapeDataString(token)}";
        Assert.True(body.Length < 8 * 1024);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r =>
            r.Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_form_with_more_fields_than_a_consent_form_has_is_malformed_not_too_large()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);
        var body = $"choice=accept-all&__RequestVerificationToken={Uri.EscapeDataString(token)}{string.Concat(Enumerable.Range(0, 80).Select(i => $"&f{i}=1"))}";
        Assert.True(body.Length < 8 * 1024);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r =>
            r.Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("multipart/form-data")]
    [InlineData("multipart/form-data; boundary=")]
    [InlineData("multipart/form-data; boundary=\"\"")]
    [InlineData("multipart/form-data; charset=utf-8")]
    public async Task A_multipart_body_without_a_boundary_is_rejected_with_415(string contentType)
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r =>
        {
            r.Headers.Add("RequestVerificationToken", token);
            r.Content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\nContent-Disposition: form-data; name=\"choice\"\r\n\r\naccept-all\r\n--x--\r\n"));
            r.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        });

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task A_broken_multipart_body_is_rejected_with_400()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);

        var response = await app.SendRawAsync(HttpMethod.Post, ConsentPath, jar, r =>
        {
            r.Headers.Add("RequestVerificationToken", token);
            r.Content = new ByteArrayContent(Encoding.ASCII.GetBytes("--x\r\nno headers end here"));
            r.Content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=x");
        });

        await AssertRejectedAsync(app, jar, response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_malformed_forget_form_is_rejected_with_400()
    {
        await using var app = await StartConsentAppAsync();
        var jar = new CookieJar();
        var token = app.IssueAntiforgery(jar);
        var body = $"returnUrl=%00&__RequestVerificationToken={Uri.EscapeDataString(token)}";

        var response = await app.SendRawAsync(HttpMethod.Post, ForgetPath, jar, r =>
            r.Content = new StringContent(body, Encoding.ASCII, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Empty(response.RawSetCookies);
    }

    [Theory]
    [InlineData("PUT", ConsentPath, "GET, POST, DELETE")]
    [InlineData("PATCH", ConsentPath, "GET, POST, DELETE")]
    [InlineData("HEAD", ConsentPath, "GET, POST, DELETE")]
    [InlineData("POST", ConsentPath + "/receipts", "GET")]
    [InlineData("DELETE", ConsentPath + "/receipts", "GET")]
    [InlineData("POST", "/_fp/link", "GET")]
    [InlineData("GET", ForgetPath, "POST")]
    [InlineData("DELETE", ForgetPath, "POST")]
    [InlineData("POST", "/.well-known/gpc.json", "GET")]
    [InlineData("PROPFIND", ConsentPath, "GET, POST, DELETE")]
    public async Task An_unsupported_method_is_answered_with_problem_details(string method, string path, string allow)
    {
        await using var app = await StartConsentAppAsync();

        var response = await app.SendRawAsync(new HttpMethod(method), path, new CookieJar());

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.Status);
        Assert.Equal(allow, response.Header("Allow"));
        Assert.Empty(response.RawSetCookies);
        if (method != "HEAD")
        {
            Assert.Equal("application/problem+json", response.ContentType);
            Assert.Equal(405, response.Json().GetProperty("status").GetInt32());
        }
    }

    [Fact]
    public async Task The_supported_methods_still_reach_their_endpoints()
    {
        await using var app = await StartConsentAppAsync();

        var state = await app.GetStateAsync(new CookieJar());
        var receipts = await app.SendRawAsync(HttpMethod.Get, ConsentPath + "/receipts", new CookieJar());
        var gpc = await app.SendRawAsync(HttpMethod.Get, "/.well-known/gpc.json", new CookieJar());
        var withdraw = await app.SendRawAsync(HttpMethod.Delete, ConsentPath, new CookieJar());

        Assert.Equal(HttpStatusCode.OK, state.Status);
        Assert.Equal(HttpStatusCode.OK, receipts.Status);
        Assert.Equal(HttpStatusCode.OK, gpc.Status);
        Assert.Equal(HttpStatusCode.BadRequest, withdraw.Status); // reached DELETE: no antiforgery token
    }

    [Theory]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("/%2F%2Fevil.example", "/")]
    [InlineData("%2F%2Fevil.example", "/")]
    [InlineData("javascript:alert(1)", "/")]
    [InlineData("http://localhost/page", "/")]
    [InlineData("/ok\r\nSet-Cookie: x=1", "/")]
    [InlineData("", "/")]
    [InlineData("/ok?x=1", "/ok?x=1")]
    [InlineData("/page#top", "/page#top")]
    public async Task The_return_url_must_be_local(string returnUrl, string expected)
    {
        await using var app = await StartConsentAppAsync();
        var response = await app.PostFormAsync(new CookieJar(), [new("choice", "reject-all"), new("returnUrl", returnUrl)]);

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal(expected, response.Location);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData(null)]
    public async Task A_rejected_return_url_falls_back_to_a_same_origin_referer(string? returnUrl)
    {
        await using var app = await StartConsentAppAsync();
        List<KeyValuePair<string, string>> fields = [new("choice", "reject-all")];
        if (returnUrl is not null)
        {
            fields.Add(new("returnUrl", returnUrl));
        }

        var response = await app.PostFormAsync(new CookieJar(), fields, configure: r => r.Headers.Referrer = new Uri("http://localhost/from?x=1"));

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/from?x=1", response.Location);
    }

    [Theory]
    [InlineData("http://evil.example/from?x=1")]
    [InlineData("https://localhost/from?x=1")]
    [InlineData("http://localhost.evil.example/from")]
    [InlineData("http://localhost//evil.example/")]
    public async Task A_referer_from_another_origin_is_ignored(string referer)
    {
        await using var app = await StartConsentAppAsync();
        var response = await app.PostFormAsync(new CookieJar(), [new("choice", "reject-all"), new("returnUrl", "https://evil.example/")], configure: r => r.Headers.TryAddWithoutValidation("Referer", referer));

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        Assert.Equal("/", response.Location);
    }

    [Fact]
    public async Task The_consent_endpoints_never_mint_visitor_cookies_on_their_own_account()
    {
        await using var app = await StartConsentAppAsync("Implied");
        var response = await app.BrowseAsync(ConsentPath, new CookieJar());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(response.RawSetCookies);
        Assert.Equal(JsonValueKind.Null, response.Json().GetProperty("visitor").ValueKind);
        Assert.True(response.Json().Categories()["analytics"]);
    }

    [Fact]
    public async Task The_endpoints_follow_the_configured_path_prefix()
    {
        await using var app = await StartConsentAppAsync(configure: o => o.Configuration["FirstParty:Endpoints:PathPrefix"] = "/privacy/fp");

        var moved = await app.SendRawAsync(HttpMethod.Get, "/privacy/fp/consent", null);
        var old = await app.SendRawAsync(HttpMethod.Get, ConsentPath, null);

        Assert.Equal(HttpStatusCode.OK, moved.Status);
        Assert.False(moved.Json().GetProperty("decided").GetBoolean());
        Assert.Equal(HttpStatusCode.NotFound, old.Status);
    }

    /// <summary>Content without a known length: the request is sent chunked, with no Content-Length.</summary>
    private sealed class ChunkedContent : HttpContent
    {
        private readonly byte[] _body;

        public ChunkedContent(string body, string mediaType)
        {
            _body = Encoding.ASCII.GetBytes(body);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            for (var offset = 0; offset < _body.Length; offset += 1000)
            {
                await stream.WriteAsync(_body.AsMemory(offset, Math.Min(1000, _body.Length - offset)));
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = -1;
            return false;
        }
    }
}
