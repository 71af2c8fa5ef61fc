using System.Net;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Net.Http.Headers;
using SameSiteMode = Microsoft.Net.Http.Headers.SameSiteMode;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The request pipeline: which requests get cookies, with which attributes, and what the endpoint sees.</summary>
public sealed class FirstPartyMiddlewareTests
{
    private const string GooglebotUserAgent = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    private const string ChromeUserAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    /// <summary>The signed binary format (3), the default when the Data Protection key ring can export secrets.</summary>
    private static readonly Regex SignedValue = new("^3[A-Za-z0-9_-]{40,80}$", RegexOptions.CultureInvariant);

    private static readonly Regex UuidV4 = new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", RegexOptions.CultureInvariant);

    [Fact]
    public async Task A_new_visitor_gets_both_cookies_with_the_default_attributes()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.NavigateAsync();

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.Equal(2, visit.SetCookies.Count);

        var visitorCookie = Assert.IsType<SetCookieHeaderValue>(visit.Cookie(TestApp.VisitorCookie));
        Assert.Matches(SignedValue, visitorCookie.Value.ToString());
        Assert.True(visitorCookie.HttpOnly);
        Assert.Equal("/", visitorCookie.Path.ToString());
        Assert.Equal(SameSiteMode.Lax, visitorCookie.SameSite);
        Assert.Equal(TimeSpan.FromDays(395), visitorCookie.MaxAge);
        Assert.Null(visitorCookie.Expires); // Max-Age alone: browsers let it win over Expires
        Assert.False(visitorCookie.Secure);
        Assert.Null(visitorCookie.Domain.Value);

        var sessionCookie = Assert.IsType<SetCookieHeaderValue>(visit.Cookie(TestApp.SessionCookie));
        Assert.Matches(SignedValue, sessionCookie.Value.ToString());
        Assert.True(sessionCookie.HttpOnly);
        Assert.Equal("/", sessionCookie.Path.ToString());
        Assert.Equal(SameSiteMode.Lax, sessionCookie.SameSite);
        Assert.Equal(TimeSpan.FromSeconds(1800), sessionCookie.MaxAge);
        Assert.Null(sessionCookie.Expires);
        Assert.False(sessionCookie.Secure);
        Assert.Null(sessionCookie.Domain.Value);
    }

    [Fact]
    public async Task A_new_visitor_is_visible_to_the_endpoint()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.NavigateAsync();
        var visitor = visit.RequireVisitor();

        Assert.True(visitor.IsNewVisitor);
        Assert.True(visitor.IsNewSession);
        Assert.Equal(1, visitor.SessionIndex);
        Assert.Matches(UuidV4, visitor.VisitorId);
        Assert.Matches(UuidV4, Assert.IsType<string>(visitor.SessionId));
        Assert.NotEqual(visitor.VisitorId, visitor.SessionId);
        Assert.Null(visitor.PreviousSessionId);
        Assert.Equal(TestAppOptions.DefaultStart, visitor.FirstSeen);
        Assert.Equal(TestAppOptions.DefaultStart, visitor.SessionStart);

        // The browser stores the ids the endpoint saw.
        var tracker = app.Services.GetRequiredService<Visitors.VisitorTracker>();
        Assert.Equal(Cookies.CookieReadStatus.Valid, tracker.VisitorCodec.TryRead(visit.Cookie(TestApp.VisitorCookie)!.Value.ToString(), out var visitorRecord));
        Assert.Equal(new Visitors.VisitorRecord(visitor.VisitorId, TestAppOptions.DefaultStart.ToUnixTimeSeconds(), 1, visitor.SessionId, TestAppOptions.DefaultStart.ToUnixTimeSeconds()), visitorRecord);
        Assert.Equal(Cookies.CookieReadStatus.Valid, tracker.SessionCodec.TryRead(visit.Cookie(TestApp.SessionCookie)!.Value.ToString(), out var sessionRecord));
        Assert.Equal(visitor.SessionId, sessionRecord!.Id);
        Assert.Equal(1, sessionRecord.Index);
    }

    [Fact]
    public async Task Each_new_browser_gets_its_own_visitor_id()
    {
        await using var app = await TestApp.StartAsync();
        var first = (await app.NavigateAsync()).RequireVisitor();
        var second = (await app.NavigateAsync()).RequireVisitor();

        Assert.True(second.IsNewVisitor);
        Assert.NotEqual(first.VisitorId, second.VisitorId);
        Assert.NotEqual(first.SessionId, second.SessionId);
    }

    [Fact]
    public async Task Https_adds_secure_and_the_registrable_domain()
    {
        await using var app = await TestApp.StartAsync(o => o.BaseAddress = new Uri("https://www.example.co.uk/"));
        var visit = await app.NavigateAsync();

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.All(visit.SetCookies, cookie =>
        {
            Assert.True(cookie.Secure);
            Assert.Equal("example.co.uk", cookie.Domain.ToString());
            Assert.True(cookie.HttpOnly);
        });
    }

    [Fact]
    public async Task Https_on_a_registrable_domain_adds_secure_and_the_domain()
    {
        await using var app = await TestApp.StartAsync(o => o.BaseAddress = new Uri("https://example.com/"));
        var visit = await app.NavigateAsync();

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.All(visit.SetCookies, cookie =>
        {
            Assert.True(cookie.Secure);
            Assert.Equal("example.com", cookie.Domain.ToString());
        });
    }

    [Fact]
    public async Task A_trailing_dot_host_gets_host_only_cookies()
    {
        // HttpClient drops the trailing dot, browsers keep it: set the Host header as a browser sends it.
        await using var app = await TestApp.StartAsync();
        var visit = await app.NavigateAsync("/", configure: request => request.Headers.Host = "www.example.co.uk.");

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.All(visit.RawSetCookies, raw => Assert.DoesNotContain("domain=", raw, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("http://www.example.co.uk/", "example.co.uk")]
    [InlineData("http://foo.github.io/", "foo.github.io")]
    [InlineData("http://github.io/", null)]
    [InlineData("http://localhost/", null)]
    [InlineData("http://localhost:5000/", null)]
    [InlineData("http://127.0.0.1/", null)]
    [InlineData("http://[::1]/", null)]
    public async Task The_domain_attribute_follows_the_public_suffix_list(string baseAddress, string? expectedDomain)
    {
        await using var app = await TestApp.StartAsync(o => o.BaseAddress = new Uri(baseAddress));
        var visit = await app.NavigateAsync();

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.All(visit.SetCookies, cookie => Assert.Equal(expectedDomain, cookie.Domain.Value));
        Assert.All(visit.RawSetCookies, raw => Assert.Equal(expectedDomain is not null, raw.Contains("domain=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Configured_cookie_attributes_are_used()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.Configuration["FirstParty:Cookies:Domain"] = "example.org";
            o.Configuration["FirstParty:Cookies:Secure"] = "Always";
            o.Configuration["FirstParty:Cookies:SameSite"] = "Strict";
            o.Configuration["FirstParty:Visitor:CookieName"] = "vid";
            o.Configuration["FirstParty:Visitor:Lifetime"] = "30.00:00:00";
            o.Configuration["FirstParty:Session:CookieName"] = "sid";
            o.Configuration["FirstParty:Session:Timeout"] = "00:10:00";
        });
        var visit = await app.NavigateAsync();

        Assert.Null(visit.Cookie(TestApp.VisitorCookie));
        var visitorCookie = Assert.IsType<SetCookieHeaderValue>(visit.Cookie("vid"));
        var sessionCookie = Assert.IsType<SetCookieHeaderValue>(visit.Cookie("sid"));
        Assert.Equal(TimeSpan.FromDays(30), visitorCookie.MaxAge);
        Assert.Equal(TimeSpan.FromMinutes(10), sessionCookie.MaxAge);
        Assert.All(visit.SetCookies, cookie =>
        {
            Assert.Equal("example.org", cookie.Domain.ToString());
            Assert.True(cookie.Secure);
            Assert.Equal(SameSiteMode.Strict, cookie.SameSite);
        });
    }

    [Fact]
    public async Task Sec_Fetch_Dest_document_alone_is_a_navigation()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.SendAsync(HttpMethod.Get, "/", jar: null, r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document"));

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.True(visit.RequireVisitor().IsNewVisitor);
    }

    [Fact]
    public async Task A_head_request_accepting_html_is_a_navigation()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.SendAsync(HttpMethod.Head, "/", jar: null, r => r.Headers.TryAddWithoutValidation("Accept", "text/html"));

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.NotNull(visit.Cookie(TestApp.VisitorCookie));
        Assert.NotNull(visit.Cookie(TestApp.SessionCookie));
    }

    [Fact]
    public async Task A_form_post_with_Sec_Fetch_Dest_document_is_a_navigation()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.SendAsync(HttpMethod.Post, "/", jar: null, r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document"));

        Assert.Equal(2, visit.SetCookies.Count);
    }

    public static TheoryData<string, string?, string?> NonNavigations => new()
    {
        { "GET", null, null },
        { "GET", "*/*", null },
        { "GET", "application/json", null },
        { "GET", "text/html", "image" },
        { "GET", "text/html", "iframe" },
        { "GET", "text/html", "empty" },
        { "POST", "text/html", null },
        { "POST", null, null },
    };

    [Theory]
    [MemberData(nameof(NonNavigations))]
    public async Task Requests_that_are_not_navigations_get_no_cookies_and_no_visitor(string method, string? accept, string? dest)
    {
        await using var app = await TestApp.StartAsync();
        using var newSessions = app.CollectMetric("firstparty.sessions.new");
        var visit = await app.SendAsync(new HttpMethod(method), "/", jar: null, r => AddHeaders(r, accept, dest));

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.Empty(visit.SetCookies);
        Assert.Null(visit.Visitor);
        Assert.Empty(newSessions.GetMeasurementSnapshot());
    }

    [Theory]
    [MemberData(nameof(NonNavigations))]
    public async Task Requests_that_are_not_navigations_see_an_existing_visitor_but_refresh_nothing(string method, string? accept, string? dest)
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromMinutes(5)); // the session cookie would be due for a refresh on a navigation
        var visit = await app.SendAsync(new HttpMethod(method), "/", jar, r => AddHeaders(r, accept, dest));

        Assert.Empty(visit.SetCookies);
        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.Equal(first.SessionId, visitor.SessionId);
        Assert.False(visitor.IsNewVisitor);
        Assert.False(visitor.IsNewSession);
    }

    [Fact]
    public async Task A_request_that_is_not_a_navigation_after_the_session_timed_out_starts_no_session()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromMinutes(31));
        var visit = await app.SendAsync(HttpMethod.Get, "/", jar, r => AddHeaders(r, "*/*", null));

        Assert.Empty(visit.SetCookies);
        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.Null(visitor.SessionId);
        Assert.Null(visitor.SessionStart);
        Assert.Equal(1, visitor.SessionIndex);
        Assert.False(visitor.IsNewSession);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    public async Task A_blazor_enhanced_navigation_after_the_session_timed_out_starts_a_new_session(string method)
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromMinutes(31));
        var visit = await app.SendAsync(new HttpMethod(method), "/page", jar, r =>
        {
            AddHeaders(r, "text/html; blazor-enhanced-nav=on", "empty");
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "no-cors");
            r.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        });

        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.True(visitor.IsNewSession);
        Assert.Equal(2, visitor.SessionIndex);
        Assert.NotEqual(first.SessionId, visitor.SessionId);
        Assert.NotNull(visit.Cookie(TestApp.SessionCookie));
    }

    [Fact]
    public async Task A_blazor_enhanced_navigation_slides_the_session()
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        // Clicks only, each within the timeout but together past it: the session must keep sliding.
        for (var i = 0; i < 4; i++)
        {
            app.Time.Advance(TimeSpan.FromMinutes(20));
            var visit = await app.SendAsync(HttpMethod.Get, "/page", jar, r => AddHeaders(r, "text/html; blazor-enhanced-nav=on", "empty"));
            Assert.Equal(first.SessionId, visit.RequireVisitor().SessionId);
            Assert.NotNull(visit.Cookie(TestApp.SessionCookie));
        }
    }

    [Theory]
    [InlineData("/disabled-attribute")]
    [InlineData("/disabled-convention")]
    public async Task Opted_out_endpoints_never_mint_cookies(string path)
    {
        await using var app = await TestApp.StartAsync();
        using var newVisitors = app.CollectMetric("firstparty.visitors.new");
        var visit = await app.NavigateAsync(path);

        Assert.Equal(HttpStatusCode.OK, visit.Status);
        Assert.Empty(visit.SetCookies);
        Assert.Null(visit.Visitor);
        Assert.Empty(newVisitors.GetMeasurementSnapshot());
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 6);
    }

    [Theory]
    [InlineData("/disabled-attribute")]
    [InlineData("/disabled-convention")]
    public async Task Opted_out_endpoints_still_expose_an_existing_visitor_without_refreshing_it(string path)
    {
        await using var app = await TestApp.StartAsync();
        var jar = new CookieJar();
        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();

        app.Time.Advance(TimeSpan.FromMinutes(31));
        var visit = await app.NavigateAsync(path, jar);

        Assert.Empty(visit.SetCookies);
        var visitor = visit.RequireVisitor();
        Assert.Equal(first.VisitorId, visitor.VisitorId);
        Assert.False(visitor.IsNewSession);
        Assert.Null(visitor.SessionId);
    }

    [Fact]
    public async Task Crawlers_get_no_cookies()
    {
        await using var app = await TestApp.StartAsync();
        using var newVisitors = app.CollectMetric("firstparty.visitors.new");
        var visit = await app.NavigateAsync(configure: r => r.Headers.TryAddWithoutValidation("User-Agent", GooglebotUserAgent));

        Assert.Empty(visit.SetCookies);
        Assert.Null(visit.Visitor);
        Assert.Empty(newVisitors.GetMeasurementSnapshot());
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Id == 5 && r.Message.Contains("Googlebot", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_browser_user_agent_gets_cookies()
    {
        await using var app = await TestApp.StartAsync();
        var visit = await app.NavigateAsync(configure: r => r.Headers.TryAddWithoutValidation("User-Agent", ChromeUserAgent));
        Assert.Equal(2, visit.SetCookies.Count);
    }

    [Fact]
    public async Task Crawlers_get_cookies_when_IgnoreCrawlers_is_false()
    {
        await using var app = await TestApp.StartAsync(o => o.Configuration["FirstParty:Visitor:IgnoreCrawlers"] = "false");
        var visit = await app.NavigateAsync(configure: r => r.Headers.TryAddWithoutValidation("User-Agent", GooglebotUserAgent));

        Assert.Equal(2, visit.SetCookies.Count);
        Assert.True(visit.RequireVisitor().IsNewVisitor);
    }

    [Fact]
    public async Task A_configured_crawler_list_replaces_the_defaults()
    {
        await using var app = await TestApp.StartAsync(o => o.Configuration["FirstParty:Visitor:CrawlerUserAgents:0"] = "(?i)InternalProbe");

        var googlebot = await app.NavigateAsync(configure: r => r.Headers.TryAddWithoutValidation("User-Agent", GooglebotUserAgent));
        var probe = await app.NavigateAsync(configure: r => r.Headers.TryAddWithoutValidation("User-Agent", "internalprobe/1.0"));

        Assert.Equal(2, googlebot.SetCookies.Count);
        Assert.Empty(probe.SetCookies);
        Assert.Null(probe.Visitor);
    }

    [Fact]
    public async Task Events_are_raised_once_with_the_visitor_of_the_request()
    {
        var newVisitors = new List<(string VisitorId, string Path)>();
        var newSessions = new List<(string VisitorId, string? SessionId, int Index)>();
        await using var app = await TestApp.StartAsync(o => o.ConfigureFirstParty = options =>
        {
            options.Events.OnNewVisitor = context =>
            {
                newVisitors.Add((context.Visitor.VisitorId, context.HttpContext.Request.Path.Value!));
                return Task.CompletedTask;
            };
            options.Events.OnNewSession = async context =>
            {
                await Task.Yield();
                newSessions.Add((context.Visitor.VisitorId, context.Visitor.SessionId, context.Visitor.SessionIndex));
            };
        });
        var jar = new CookieJar();

        var first = (await app.NavigateAsync("/page", jar)).RequireVisitor();
        Assert.Equal([(first.VisitorId, "/page")], newVisitors);
        Assert.Equal([(first.VisitorId, first.SessionId, 1)], newSessions);

        app.Time.Advance(TimeSpan.FromMinutes(2));
        await app.NavigateAsync(jar: jar);
        Assert.Single(newVisitors);
        Assert.Single(newSessions);

        app.Time.Advance(TimeSpan.FromMinutes(31));
        var third = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        Assert.Single(newVisitors);
        Assert.Equal(2, newSessions.Count);
        Assert.Equal((first.VisitorId, third.SessionId, 2), newSessions[1]);

        // Requests that cannot mint raise nothing.
        await app.SendAsync(HttpMethod.Get, "/", jar: null);
        Assert.Single(newVisitors);
        Assert.Equal(2, newSessions.Count);
    }

    [Fact]
    public async Task New_visitor_and_new_session_metrics_and_logs_are_recorded()
    {
        await using var app = await TestApp.StartAsync();
        using var newVisitors = app.CollectMetric("firstparty.visitors.new");
        using var newSessions = app.CollectMetric("firstparty.sessions.new");
        var jar = new CookieJar();

        var first = (await app.NavigateAsync(jar: jar)).RequireVisitor();
        Assert.Equal(1, newVisitors.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, newSessions.GetMeasurementSnapshot().EvaluateAsCounter());
        var logs = app.Logs.GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 1 && r.Level == Microsoft.Extensions.Logging.LogLevel.Debug && r.Message.Contains(first.VisitorId, StringComparison.Ordinal));
        Assert.Contains(logs, r => r.Id.Id == 2 && r.Message.Contains(first.SessionId!, StringComparison.Ordinal));

        await app.NavigateAsync(jar: jar);
        Assert.Equal(1, newVisitors.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(1, newSessions.GetMeasurementSnapshot().EvaluateAsCounter());

        app.Time.Advance(TimeSpan.FromMinutes(31));
        await app.NavigateAsync(jar: jar);
        Assert.Equal(1, newVisitors.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, newSessions.GetMeasurementSnapshot().EvaluateAsCounter());

        await app.NavigateAsync();
        Assert.Equal(2, newVisitors.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(3, newSessions.GetMeasurementSnapshot().EvaluateAsCounter());
    }

    [Fact]
    public async Task UseFirstParty_without_AddFirstParty_fails_at_startup()
    {
        using var host = new HostBuilder()
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices(services => services.AddRouting())
                .Configure(app => app.UseFirstParty()))
            .Build();

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());
        Assert.Contains("AddFirstParty", ex.Message, StringComparison.Ordinal);
        Assert.Contains("UseFirstParty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_endpoint_response_is_not_altered()
    {
        await using var app = await TestApp.StartAsync();
        using var response = await app.Client.GetAsync(new Uri("/page", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("null", await response.Content.ReadAsStringAsync());
    }

    private static void AddHeaders(HttpRequestMessage request, string? accept, string? dest)
    {
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (dest is not null)
        {
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", dest);
        }
    }
}
