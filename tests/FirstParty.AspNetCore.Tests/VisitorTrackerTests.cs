using System.Buffers.Text;
using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Visitor and session lifecycle over time, and how cookies from the request are trusted.</summary>
public sealed class VisitorTrackerTests
{
    private static readonly TimeSpan VisitorLifetime = TimeSpan.FromDays(395);

    [Fact]
    public async Task A_returning_visitor_gets_no_set_cookie_and_keeps_its_ids()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromSeconds(30));
        var visit = await app.NavigateAsync("/page", jar);

        Assert.Empty(visit.SetCookies);
        Assert.Empty(visit.RawSetCookies);
        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.Equal(first.SessionId, visitor.SessionId);
        Assert.Equal(first.FirstSeen, visitor.FirstSeen);
        Assert.Equal(first.SessionStart, visitor.SessionStart);
        Assert.Equal(1, visitor.SessionIndex);
        Assert.False(visitor.IsNewVisitor);
        Assert.False(visitor.IsNewSession);
    }

    [Fact]
    public async Task After_61_seconds_only_the_session_cookie_is_sent_again()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        var firstSessionValue = jar[TestApp.SessionCookie];

        app.Time.Advance(TimeSpan.FromSeconds(61));
        var visit = await app.NavigateAsync(jar: jar);

        var cookie = Assert.Single(visit.SetCookies);
        Assert.Equal(TestApp.SessionCookie, cookie.Name.ToString());
        Assert.Equal(TimeSpan.FromSeconds(1800), cookie.MaxAge);
        Assert.Null(cookie.Expires); // Max-Age alone
        Assert.NotEqual(firstSessionValue, cookie.Value.ToString());

        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.Equal(first.SessionId, visitor.SessionId);
        Assert.False(visitor.IsNewSession);
    }

    [Fact]
    public async Task A_session_kept_alive_by_refreshes_outlives_its_initial_timeout()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        for (var i = 0; i < 4; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(20));
            var visit = await app.NavigateAsync(jar: jar);
            Assert.Equal(first.SessionId, visit.RequireVisitor().SessionId);
            Assert.NotNull(visit.Cookie(TestApp.SessionCookie));
        }
    }

    [Fact]
    public async Task After_31_minutes_a_new_session_starts_and_both_cookies_are_sent()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromMinutes(31));
        var visit = await app.NavigateAsync(jar: jar);

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.Equal(VisitorLifetime, visit.Cookie(TestApp.VisitorCookie)?.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(30), visit.Cookie(TestApp.SessionCookie)?.MaxAge);
        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.False(visitor.IsNewVisitor);
        Assert.True(visitor.IsNewSession);
        Assert.Equal(2, visitor.SessionIndex);
        Assert.NotEqual(first.SessionId, visitor.SessionId);
        Assert.Equal(first.SessionId, visitor.PreviousSessionId);
        Assert.Equal(app.Time.GetUtcNow(), visitor.SessionStart);
        Assert.Equal(first.FirstSeen, visitor.FirstSeen);

        // The third session points back at the second.
        app.Time.Advance(TimeSpan.FromHours(2));
        var third = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        Assert.Equal(3, third.SessionIndex);
        Assert.Equal(visitor.SessionId, third.PreviousSessionId);
    }

    [Fact]
    public async Task A_session_exactly_at_its_timeout_has_ended()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        await app.NavigateAsync(jar: jar);

        app.Time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(1));
        Assert.False((await app.NavigateAsync(jar: jar.Clone())).RequireVisitor().IsNewSession);

        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await app.NavigateAsync(jar: jar)).RequireVisitor().IsNewSession);
    }

    [Fact]
    public async Task During_a_long_ongoing_session_the_sliding_visitor_cookie_is_refreshed_once_a_day()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        var start = app.Time.GetUtcNow();
        var visitorRefreshes = new List<TimeSpan>();

        // Every 20 minutes for 25 hours: the session never times out.
        while (app.Time.GetUtcNow() - start < TimeSpan.FromHours(25))
        {
            app.Time.Advance(TimeSpan.FromMinutes(20));
            var visit = await app.NavigateAsync(jar: jar);
            var visitor = visit.RequireVisitor();
            Assert.Equal(first.VisitorId, visitor.VisitorId);
            Assert.Equal(first.SessionId, visitor.SessionId);
            Assert.Equal(1, visitor.SessionIndex);
            Assert.NotNull(visit.Cookie(TestApp.SessionCookie));

            if (visit.Cookie(TestApp.VisitorCookie) is { } visitorCookie)
            {
                visitorRefreshes.Add(app.Time.GetUtcNow() - start);
                Assert.Equal(VisitorLifetime, visitorCookie.MaxAge);
                Assert.Null(visitorCookie.Expires);
            }
        }

        Assert.Equal([TimeSpan.FromHours(24)], visitorRefreshes);
    }

    [Fact]
    public async Task After_25_hours_away_the_visitor_is_kept_with_a_new_session_and_a_renewed_cookie()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromHours(25));
        var visit = await app.NavigateAsync(jar: jar);

        Assert.Equal(VisitorLifetime, visit.Cookie(TestApp.VisitorCookie)?.MaxAge);
        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.Equal(2, visitor.SessionIndex);
    }

    [Fact]
    public async Task A_sliding_visitor_survives_past_its_lifetime_when_it_keeps_coming_back()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        for (var i = 0; i < 5; i++)
        {
            app.Time.Advance(TimeSpan.FromDays(100));
            var visitor = (await app.NavigateAsync(jar: jar)).RequireVisitor();
            Assert.Equal(first.VisitorId, visitor.VisitorId);
        }
    }

    [Fact]
    public async Task Fixed_expiration_counts_from_the_first_visit_and_is_never_extended()
    {
        await using var app = await TestApp.StartAsync(o => o.Configuration["FirstParty:Visitor:ExpirationMode"] = "Fixed");
        var jar = new CookieJar();
        var firstVisit = await app.NavigateAsync(jar: jar);
        var first = firstVisit.RequireVisitor();
        var expires = TestAppOptions.DefaultStart + VisitorLifetime;
        Assert.Equal(VisitorLifetime, firstVisit.Cookie(TestApp.VisitorCookie)?.MaxAge);
        Assert.Equal(expires, app.Time.GetUtcNow() + firstVisit.Cookie(TestApp.VisitorCookie)?.MaxAge);

        // A new session re-sends the visitor cookie, with the remaining lifetime only.
        app.Time.Advance(TimeSpan.FromDays(2));
        var second = await app.NavigateAsync(jar: jar);
        Assert.True(second.RequireVisitor().IsNewSession);
        Assert.Equal(VisitorLifetime - TimeSpan.FromDays(2), second.Cookie(TestApp.VisitorCookie)?.MaxAge);
        Assert.Equal(expires, app.Time.GetUtcNow() + second.Cookie(TestApp.VisitorCookie)?.MaxAge);

        // An ongoing session over more than a day never refreshes a fixed visitor cookie.
        for (var i = 0; i < 80; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(20));
            var visit = await app.NavigateAsync(jar: jar);
            Assert.False(visit.RequireVisitor().IsNewSession);
            Assert.Null(visit.Cookie(TestApp.VisitorCookie));
        }

        // Later sessions: the max-age keeps shrinking towards the same expiry.
        app.Time.Advance(TimeSpan.FromDays(300));
        var late = await app.NavigateAsync(jar: jar);
        var lateCookie = Assert.IsType<SetCookieHeaderValue>(late.Cookie(TestApp.VisitorCookie));
        Assert.Equal(expires - app.Time.GetUtcNow(), lateCookie.MaxAge);
        Assert.Null(lateCookie.Expires);
        Assert.Equal(first.VisitorId, late.RequireVisitor().VisitorId);

        // Once the lifetime is over the old cookie is not honoured, even if the browser still sends it.
        app.Time.SetUtcNow(expires);
        var expired = await app.NavigateAsync(jar: jar);
        var minted = expired.RequireVisitor();
        Assert.True(minted.IsNewVisitor);
        Assert.NotEqual(first.VisitorId, minted.VisitorId);
        Assert.Equal(1, minted.SessionIndex);
        Assert.Null(minted.PreviousSessionId);
        Assert.Equal(VisitorLifetime, expired.Cookie(TestApp.VisitorCookie)?.MaxAge);
    }

    [Fact]
    public async Task Fixed_expiration_past_its_lifetime_exposes_no_visitor_to_requests_that_cannot_mint()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Configuration["FirstParty:Visitor:ExpirationMode"] = "Fixed";
            o.Configuration["FirstParty:Visitor:Lifetime"] = "10.00:00:00";
        });
        var jar = new CookieJar();
        await app.NavigateAsync(jar: jar);

        app.Time.Advance(TimeSpan.FromDays(9));
        Assert.NotNull((await app.SendAsync(HttpMethod.Get, "/", jar)).Visitor);

        app.Time.Advance(TimeSpan.FromDays(1));
        var visit = await app.SendAsync(HttpMethod.Get, "/", jar);
        Assert.Null(visit.Visitor);
        Assert.Empty(visit.SetCookies);
    }

    public static TheoryData<string, string> BadVisitorCookies => new()
    {
        { "1.%%%not-base64%%%", "malformed" },
        { "", "malformed" },
        { "garbage", "malformed" },
        { "1." + Base64Url.EncodeToString(new byte[96]), "forged" },
        { "2.AAAA", "malformed" },
        { "2.abcdef01.AAAAAAAAAAAAAAAAAAAAAA.0f8fad5b-d9cb-469f-a165-70867728950e.1.1..1", "forged" },
        { "3.AAAA", "unsupported-version" },
        { "1." + new string('A', 4200), "oversized" },
    };

    [Theory]
    [MemberData(nameof(BadVisitorCookies))]
    public async Task A_bad_visitor_cookie_is_treated_as_absent_counted_and_logged(string value, string reason)
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");
        var jar = new CookieJar { [TestApp.VisitorCookie] = value };

        var visit = await app.NavigateAsync(jar: jar);

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.True(visit.RequireVisitor().IsNewVisitor);
        Assert.Equal(2, visit.SetCookies.Count);

        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal(1, measurement.Value);
        Assert.Equal(reason, measurement.Tags["reason"]);
        Assert.Equal(TestApp.VisitorCookie, measurement.Tags["cookie"]);

        var log = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == 3);
        Assert.Equal(LogLevel.Debug, log.Level);
        Assert.Equal("CookieRejected", log.Id.Name);
        Assert.Contains(TestApp.VisitorCookie, log.Message, StringComparison.Ordinal);
        Assert.Contains(reason, log.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadVisitorCookies))]
    public async Task A_bad_visitor_cookie_on_a_request_that_cannot_mint_still_succeeds(string value, string reason)
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");
        var visit = await app.SendAsync(HttpMethod.Get, "/", new CookieJar { [TestApp.VisitorCookie] = value });

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.Null(visit.Visitor);
        Assert.Empty(visit.SetCookies);
        Assert.Equal(reason, Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
    }

    [Fact]
    public async Task A_cookie_header_with_raw_garbage_never_fails_the_request()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.NavigateAsync(configure: r => r.Headers.TryAddWithoutValidation(
            "Cookie", "_fp_id; =; ;;_fp_id=\"\"; _fp_ses=1.é; _fp_id=\"1.AAAA\"; _fp_id2=1.x"));

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.True(visit.RequireVisitor().IsNewVisitor);
    }

    [Fact]
    public async Task A_bad_session_cookie_of_a_valid_visitor_starts_a_new_session()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");

        jar[TestApp.SessionCookie] = "1.bm90LXByb3RlY3RlZA";
        var visit = await app.NavigateAsync(jar: jar);

        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.True(visitor.IsNewSession);
        Assert.Equal(2, visitor.SessionIndex);
        Assert.Equal(first.SessionId, visitor.PreviousSessionId);
        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal(TestApp.SessionCookie, measurement.Tags["cookie"]);
        Assert.Equal("forged", measurement.Tags["reason"]);
    }

    [Fact]
    public async Task Visitor_and_session_values_cannot_be_swapped()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        await app.NavigateAsync(jar: jar);
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");

        var swapped = new CookieJar
        {
            [TestApp.VisitorCookie] = jar[TestApp.SessionCookie],
            [TestApp.SessionCookie] = jar[TestApp.VisitorCookie],
        };
        var visit = await app.NavigateAsync(jar: swapped);

        Assert.True(visit.RequireVisitor().IsNewVisitor);
        Assert.Equal("forged", Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
    }

    [Fact]
    public async Task A_forged_duplicate_sent_first_does_not_hide_the_valid_visitor_cookie()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        var valid = jar[TestApp.VisitorCookie]!;
        var forged = await MintForeignVisitorCookieAsync();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");

        var tossed = new CookieJar();
        tossed.AddDuplicate(TestApp.VisitorCookie, forged);
        tossed.AddDuplicate(TestApp.VisitorCookie, valid);
        tossed.AddDuplicate(TestApp.SessionCookie, jar[TestApp.SessionCookie]!);
        var visit = await app.NavigateAsync(jar: tossed);

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        var visitor = visit.RequireVisitor();
        Assert.False(visitor.IsNewVisitor);
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.Equal(first.SessionId, visitor.SessionId);
        Assert.Empty(visit.SetCookies);

        var measurement = Assert.Single(rejected.GetMeasurementSnapshot());
        Assert.Equal("forged", measurement.Tags["reason"]);
        var logs = app.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 3 && r.Level == LogLevel.Debug);
        Assert.Contains(logs, r => r.Id.Id == 4 && r.Message.Contains("2 cookies named _fp_id", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_a_valid_duplicate_first_the_first_one_wins()
    {
        await using var app = await TestApp.StartAsync();
        var jarA = new CookieJar();
        var jarB = new CookieJar();
        var a = (await app.NavigateAsync(jar: jarA)).RequireVisitor();
        await app.NavigateAsync(jar: jarB);

        var both = new CookieJar();
        both.AddDuplicate(TestApp.VisitorCookie, jarA[TestApp.VisitorCookie]!);
        both.AddDuplicate(TestApp.VisitorCookie, jarB[TestApp.VisitorCookie]!);
        var visitor = (await app.NavigateAsync(jar: both)).RequireVisitor();

        Assert.Equal(a.VisitorId, visitor.VisitorId);
        Assert.False(visitor.IsNewVisitor);
    }

    [Fact]
    public async Task A_duplicate_with_only_bad_values_mints_a_new_visitor_and_counts_each_rejection()
    {
        await using var app = await TestApp.StartAsync();
        using var rejected = app.CollectMetric("firstparty.cookies.rejected");
        var jar = new CookieJar();
        jar.AddDuplicate(TestApp.VisitorCookie, "1.%%");
        jar.AddDuplicate(TestApp.VisitorCookie, "3.AAAA");

        var visit = await app.NavigateAsync(jar: jar);

        Assert.True(visit.RequireVisitor().IsNewVisitor);
        Assert.Equal(["malformed", "unsupported-version"], rejected.GetMeasurementSnapshot().Select(m => (string)m.Tags["reason"]!));
    }

    [Fact]
    public async Task A_session_cookie_of_another_visitor_starts_a_new_session()
    {
        await using var app = await TestApp.StartAsync();
        var jarA = new CookieJar();
        var jarB = new CookieJar();
        var a = (await app.NavigateAsync(jar: jarA)).RequireVisitor();
        var b = (await app.NavigateAsync(jar: jarB)).RequireVisitor();

        var mixed = new CookieJar
        {
            [TestApp.VisitorCookie] = jarA[TestApp.VisitorCookie],
            [TestApp.SessionCookie] = jarB[TestApp.SessionCookie],
        };
        var visit = await app.NavigateAsync(jar: mixed);

        var visitor = visit.RequireVisitor();
        Assert.Equal(a.VisitorId, visitor.VisitorId);
        Assert.False(visitor.IsNewVisitor);
        Assert.True(visitor.IsNewSession);
        Assert.NotEqual(b.SessionId, visitor.SessionId);
        Assert.NotEqual(a.SessionId, visitor.SessionId);
        Assert.Equal(2, visitor.SessionIndex);
        Assert.Equal(a.SessionId, visitor.PreviousSessionId);
        Assert.Equal(2, visit.SetCookies.Count);
    }

    [Fact]
    public async Task A_session_cookie_of_another_visitor_is_not_exposed_to_requests_that_cannot_mint()
    {
        await using var app = await TestApp.StartAsync();
        var jarA = new CookieJar();
        var jarB = new CookieJar();
        var a = (await app.NavigateAsync(jar: jarA)).RequireVisitor();
        await app.NavigateAsync(jar: jarB);

        var mixed = new CookieJar
        {
            [TestApp.VisitorCookie] = jarA[TestApp.VisitorCookie],
            [TestApp.SessionCookie] = jarB[TestApp.SessionCookie],
        };
        var visitor = (await app.SendAsync(HttpMethod.Get, "/", mixed)).RequireVisitor();

        Assert.Equal(a.VisitorId, visitor.VisitorId);
        Assert.Null(visitor.SessionId);
    }

    [Fact]
    public async Task A_visitor_cookie_without_its_session_cookie_starts_the_next_session()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        jar[TestApp.SessionCookie] = null; // the browser dropped the session cookie
        var visitor = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.True(visitor.IsNewSession);
        Assert.Equal(2, visitor.SessionIndex);
        Assert.Equal(first.SessionId, visitor.PreviousSessionId);
    }

    [Fact]
    public async Task Hosts_sharing_a_key_ring_accept_each_others_cookies_and_other_hosts_do_not()
    {
        var sharedKeys = Directory.CreateTempSubdirectory("fp-keys-");
        var otherKeys = Directory.CreateTempSubdirectory("fp-keys-");
        try
        {
            void Shared(TestAppOptions o) => o.ConfigureDataProtection = dp => dp.PersistKeysToFileSystem(sharedKeys).SetApplicationName("firstparty-farm");
            await using var nodeA = await TestApp.StartAsync(Shared);
            await using var nodeB = await TestApp.StartAsync(Shared);
            await using var stranger = await TestApp.StartAsync(o => o.ConfigureDataProtection = dp => dp.PersistKeysToFileSystem(otherKeys).SetApplicationName("firstparty-farm"));

            var jar = new CookieJar();
            var minted = (await nodeA.NavigateAsync(jar: jar)).RequireVisitor();

            var onB = await nodeB.NavigateAsync(jar: jar.Clone());
            Assert.Empty(onB.SetCookies);
            Assert.Equal(minted.VisitorId, onB.RequireVisitor().VisitorId);
            Assert.Equal(minted.SessionId, onB.RequireVisitor().SessionId);
            Assert.False(onB.RequireVisitor().IsNewVisitor);

            // And back: a session refreshed by B is read by A.
            nodeB.Time.Advance(TimeSpan.FromMinutes(5));
            nodeA.Time.Advance(TimeSpan.FromMinutes(5));
            Assert.NotNull((await nodeB.NavigateAsync(jar: jar)).Cookie(TestApp.SessionCookie));
            nodeA.Time.Advance(TimeSpan.FromMinutes(29));
            var backOnA = (await nodeA.NavigateAsync(jar: jar)).RequireVisitor();
            Assert.Equal(minted.SessionId, backOnA.SessionId);

            using var rejected = stranger.CollectMetric("firstparty.cookies.rejected");
            var onStranger = (await stranger.NavigateAsync(jar: jar.Clone())).RequireVisitor();
            Assert.True(onStranger.IsNewVisitor);
            Assert.NotEqual(minted.VisitorId, onStranger.VisitorId);
            Assert.Equal("forged", Assert.Single(rejected.GetMeasurementSnapshot()).Tags["reason"]);
        }
        finally
        {
            sharedKeys.Delete(recursive: true);
            otherKeys.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Regression (src/FirstParty.AspNetCore/Cookies/CookieKeyRing.cs, TryDerive): format 2 secrets ignore the
    /// Data Protection application name, so applications that share a key repository but are isolated
    /// by SetApplicationName accept each other's visitor cookies (see CookieProtectorTests).
    /// </summary>
    [Fact]
    public async Task Hosts_sharing_a_key_repository_under_different_application_names_do_not_share_cookies()
    {
        var keysDirectory = Directory.CreateTempSubdirectory("fp-keys-");
        try
        {
            await using var shop = await TestApp.StartAsync(o => o.ConfigureDataProtection = dp => dp.PersistKeysToFileSystem(keysDirectory).SetApplicationName("shop"));
            await using var blog = await TestApp.StartAsync(o => o.ConfigureDataProtection = dp => dp.PersistKeysToFileSystem(keysDirectory).SetApplicationName("blog"));

            var jar = new CookieJar();
            var onShop = (await shop.NavigateAsync(jar: jar)).RequireVisitor();
            var onBlog = (await blog.NavigateAsync(jar: jar)).RequireVisitor();

            Assert.True(onBlog.IsNewVisitor);
            Assert.NotEqual(onShop.VisitorId, onBlog.VisitorId);
        }
        finally
        {
            keysDirectory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Regression (src/FirstParty.AspNetCore/Cookies/CookieKeyRing.cs, Load): reading a signed cookie when the
    /// key ring has no usable key and may not create one throws from the bootstrap Protect call, and the
    /// request fails with 500 instead of treating the cookie as forged.
    /// </summary>
    [Fact]
    public async Task A_signed_cookie_never_fails_a_request_when_the_key_ring_has_no_usable_key()
    {
        await using var app = await TestApp.StartAsync(o => o.ConfigureDataProtection = dp =>
        {
            dp.DisableAutomaticKeyGeneration();
            TestApp.UseInMemoryKeyRing(dp.Services, new InMemoryXmlRepository());
        });
        var jar = new CookieJar { [TestApp.VisitorCookie] = "2.abcdef01.AAAAAAAAAAAAAAAAAAAAAA.0f8fad5b-d9cb-469f-a165-70867728950e.1.1..1" };

        var visit = await app.SendAsync(HttpMethod.Get, "/", jar);

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.Null(visit.Visitor);
    }

    [Fact]
    public async Task Values_written_by_the_tracker_codecs_are_accepted_by_the_pipeline()
    {
        await using var app = await TestApp.StartAsync();
        var tracker = app.Services.GetRequiredService<VisitorTracker>();
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        const string VisitorId = "0f8fad5b-d9cb-469f-a165-70867728950e";
        const string SessionId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        var jar = new CookieJar
        {
            [TestApp.VisitorCookie] = tracker.VisitorCodec.Protect(new VisitorRecord(VisitorId, now - 3600, 7, SessionId, now - 60)),
            [TestApp.SessionCookie] = tracker.SessionCodec.Protect(new SessionRecord(SessionId, 7, now - 600, now - 30, null)),
        };

        var visit = await app.NavigateAsync(jar: jar);

        Assert.Empty(visit.SetCookies);
        var visitor = visit.RequireVisitor();
        Assert.Equal(VisitorId, visitor.VisitorId);
        Assert.Equal(SessionId, visitor.SessionId);
        Assert.Equal(7, visitor.SessionIndex);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now - 3600), visitor.FirstSeen);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now - 600), visitor.SessionStart);
    }

    [Fact]
    public async Task Format_2_cookies_of_the_previous_release_keep_their_visitor_and_are_rewritten_in_format_3_when_refreshed()
    {
        await using var app = await TestApp.StartAsync();
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        const string VisitorId = "0f8fad5b-d9cb-469f-a165-70867728950e";
        const string SessionId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        var root = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Cookies.CookieProtector.RootPurpose);
        var ring = app.Services.GetRequiredService<Cookies.CookieKeyRing>();
        var jar = new CookieJar
        {
            // What the previous release wrote: the text payload under the same derived key.
            [TestApp.VisitorCookie] = new Cookies.CookieProtector(root, ring, "Visitor").Protect(new VisitorRecord(VisitorId, now - 3600, 7, SessionId, now - 60).Format()),
            [TestApp.SessionCookie] = new Cookies.CookieProtector(root, ring, "Session").Protect(new SessionRecord(SessionId, 7, now - 600, now - 30, null).Format()),
        };
        Assert.StartsWith("2.", jar[TestApp.VisitorCookie], StringComparison.Ordinal);

        var untouched = await app.NavigateAsync(jar: jar);
        Assert.Empty(untouched.SetCookies);
        Assert.Equal(SessionId, untouched.RequireVisitor().SessionId);

        app.Time.Advance(TimeSpan.FromSeconds(61));
        var sessionRefresh = await app.NavigateAsync(jar: jar);
        Assert.StartsWith("3", Assert.IsType<SetCookieHeaderValue>(sessionRefresh.Cookie(TestApp.SessionCookie)).Value.ToString(), StringComparison.Ordinal);
        Assert.Null(sessionRefresh.Cookie(TestApp.VisitorCookie));
        Assert.StartsWith("2.", jar[TestApp.VisitorCookie], StringComparison.Ordinal);
        Assert.Equal(SessionId, sessionRefresh.RequireVisitor().SessionId);

        app.Time.Advance(TimeSpan.FromHours(24));
        var visitorRefresh = await app.NavigateAsync(jar: jar);
        Assert.StartsWith("3", jar[TestApp.VisitorCookie], StringComparison.Ordinal);
        Assert.StartsWith("3", jar[TestApp.SessionCookie], StringComparison.Ordinal);
        var visitor = visitorRefresh.RequireVisitor();
        Assert.Equal(VisitorId, visitor.VisitorId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(now - 3600), visitor.FirstSeen);

        // The rewritten values are read back as the same visitor.
        app.Time.Advance(TimeSpan.FromSeconds(10));
        var after = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        Assert.Equal(VisitorId, after.VisitorId);
        Assert.Equal(visitor.SessionId, after.SessionId);
    }

    [Fact]
    public async Task During_a_rolling_upgrade_format_2_is_written_and_format_3_still_read()
    {
        // FirstParty:Cookies:Format = 2 while earlier instances (which read format 2 only) still
        // serve: what this instance writes stays readable to them, and it reads what upgraded
        // instances (format 3) wrote.
        await using var app = await TestApp.StartAsync(o => o.ConfigureFirstParty = f => f.Cookies.Format = 2);
        var jar = new CookieJar();

        var first = await app.NavigateAsync(jar: jar);

        Assert.StartsWith("2.", jar[TestApp.VisitorCookie], StringComparison.Ordinal);
        Assert.StartsWith("2.", jar[TestApp.SessionCookie], StringComparison.Ordinal);
        var visitorId = first.RequireVisitor().VisitorId;

        var root = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(Cookies.CookieProtector.RootPurpose);
        var ring = app.Services.GetRequiredService<Cookies.CookieKeyRing>();
        var now = app.Time.GetUtcNow().ToUnixTimeSeconds();
        const string SessionId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
        var compact = new CookieJar
        {
            [TestApp.VisitorCookie] = new Cookies.ProtectedCookieCodec<VisitorRecord>(new Cookies.CookieProtector(root, ring, "Visitor")).Protect(new VisitorRecord(visitorId, now - 3600, 3, SessionId, now - 60)),
            [TestApp.SessionCookie] = new Cookies.ProtectedCookieCodec<SessionRecord>(new Cookies.CookieProtector(root, ring, "Session")).Protect(new SessionRecord(SessionId, 3, now - 600, now - 30, null)),
        };
        Assert.StartsWith("3", compact[TestApp.VisitorCookie], StringComparison.Ordinal);

        var upgraded = (await app.NavigateAsync(jar: compact)).RequireVisitor();

        Assert.Equal(visitorId, upgraded.VisitorId);
        Assert.Equal(SessionId, upgraded.SessionId);
    }

    [Fact]
    public async Task A_cookie_format_other_than_2_or_3_fails_at_startup_naming_the_option()
    {
        var failure = await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => TestApp.StartAsync(o => o.ConfigureFirstParty = f => f.Cookies.Format = 4));

        Assert.Contains("FirstParty:Cookies:Format", failure.Message, StringComparison.Ordinal);
    }

    private static async Task<string> MintForeignVisitorCookieAsync()
    {
        await using var other = await TestApp.StartAsync();
        var jar = new CookieJar();
        await other.NavigateAsync(jar: jar);
        return jar[TestApp.VisitorCookie]!;
    }
}
