using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// The app's own cookies through the Razor Pages sample: ASP.NET Core's necessary cookies work
/// before any decision; a cookie declared under "preferences" follows that category; a middleware
/// ahead of the sample's <c>UseFirstParty()</c> cannot slip a cookie past the gate.
/// </summary>
public sealed class CookieGateSampleTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task TempData_works_before_any_consent_decision()
    {
        var browser = SampleClient.Create(factory);

        var posted = await browser.PostFormAsync("/", "/?handler=Subscribe", ("email", "ada@example.com"));
        var page = await browser.NavigateAsync(posted.Location!);

        Assert.Equal(302, posted.Status);
        Assert.NotNull(posted.Cookie(".AspNetCore.Mvc.CookieTempDataProvider"));
        Assert.Contains("Thanks! Roast news will go to ada@example.com.", page.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-banner", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_works_before_any_consent_decision()
    {
        var browser = SampleClient.Create(factory);

        await browser.PostFormAsync("/Basket", "/Basket");
        await browser.PostFormAsync("/Basket", "/Basket");
        var basket = await browser.NavigateAsync("/Basket");

        Assert.Equal("2", basket.Data("data-basket-count"));
        Assert.True(browser.Cookies.ContainsKey(".AspNetCore.Session"));
    }

    [Fact]
    public async Task A_basket_whose_session_store_is_down_answers_503_instead_of_losing_the_item()
    {
        // The session's distributed cache fails the way Redis does when it is unreachable: the
        // synchronous session load would swallow it and ignore the write, answering as if added.
        using var broken = factory.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
            services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache, UnreachableCache>()));
        var browser = SampleClient.Create(broken);

        var page = await browser.NavigateAsync("/Basket");
        var added = await browser.PostFormAsync("/", "/Basket");

        Assert.Equal(503, page.Status);
        Assert.Equal(503, added.Status);
    }

    private sealed class UnreachableCache : Microsoft.Extensions.Caching.Distributed.IDistributedCache
    {
        public byte[]? Get(string key) => throw new TimeoutException("The session store did not answer.");

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromException<byte[]?>(new TimeoutException("The session store did not answer."));

        public void Refresh(string key) => throw new TimeoutException("The session store did not answer.");

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.FromException(new TimeoutException("The session store did not answer."));

        public void Remove(string key) => throw new TimeoutException("The session store did not answer.");

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.FromException(new TimeoutException("The session store did not answer."));

        public void Set(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options) => throw new TimeoutException("The session store did not answer.");

        public Task SetAsync(string key, byte[] value, Microsoft.Extensions.Caching.Distributed.DistributedCacheEntryOptions options, CancellationToken token = default) => Task.FromException(new TimeoutException("The session store did not answer."));
    }

    [Fact]
    public async Task A_preferences_cookie_is_dropped_before_consent_and_written_once_granted()
    {
        var browser = SampleClient.Create(factory);

        var refused = await browser.PostFormAsync("/", "/?handler=Theme", ("theme", "dark"));
        Assert.Equal(302, refused.Status);
        Assert.Null(refused.Cookie("theme"));

        await browser.ChooseAsync("custom", "/", "preferences");
        var granted = await browser.PostFormAsync("/", "/?handler=Theme", ("theme", "dark"));
        var page = await browser.NavigateAsync("/");

        Assert.Equal("dark", granted.Cookie("theme")?.Value.ToString());
        Assert.Equal("dark", page.Data("data-theme"));
    }

    [Fact]
    public async Task Refusing_preferences_later_deletes_the_declared_cookie_the_browser_holds()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");
        await browser.PostFormAsync("/", "/?handler=Theme", ("theme", "light"));
        Assert.True(browser.Cookies.ContainsKey("theme"));

        var answer = await browser.ChooseAsync("reject-all", "/Privacy");

        Assert.True(answer.Deletes("theme"));
        Assert.False(browser.Cookies.ContainsKey("theme"));
    }

    [Fact]
    public async Task A_declared_cookie_of_a_refused_category_sent_by_the_browser_is_deleted_on_every_domain_variant()
    {
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://www.harbour.example.co.uk"), HandleCookies = false, AllowAutoRedirect = false });
        var browser = new SampleClient(client);
        browser.Cookies["VISITOR_INFO1_LIVE"] = "planted-before-consent";

        var visit = await browser.NavigateAsync("/");

        var deletions = visit.SetCookies.Where(c => c.Name == "VISITOR_INFO1_LIVE" && c.MaxAge == TimeSpan.Zero).ToList();
        Assert.Contains(deletions, c => c.Domain.Value is null);
        Assert.Contains(deletions, c => c.Domain.Value == "example.co.uk");
        Assert.Contains(deletions, c => c.Domain.Value == "youtube.com");
        Assert.All(deletions, c => Assert.Equal("/", c.Path.Value));
    }

    [Fact]
    public async Task A_service_allowed_on_its_own_keeps_its_cookies_while_its_category_stays_refused()
    {
        var browser = SampleClient.Create(factory);
        await browser.PostFormAsync("/", "/_fp/consent", ("choice", "custom"), ("service", "marketing/youtube"), ("returnUrl", "/"));
        browser.Cookies["VISITOR_INFO1_LIVE"] = "set-by-the-embed";

        var visit = await browser.NavigateAsync("/");
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.False(visit.Deletes("VISITOR_INFO1_LIVE"));
        Assert.Contains("\"marketing\":false", state.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Choosing_services_one_by_one_refuses_the_unlisted_services_of_that_category()
    {
        var browser = SampleClient.Create(factory);
        await browser.PostFormAsync("/", "/_fp/consent", ("choice", "custom"), ("category", "marketing"), ("service", "marketing/youtube"), ("returnUrl", "/"));
        browser.Cookies["VISITOR_INFO1_LIVE"] = "youtube";
        browser.Cookies["vuid"] = "vimeo";

        var visit = await browser.NavigateAsync("/");

        Assert.False(visit.Deletes("VISITOR_INFO1_LIVE"));
        Assert.True(visit.Deletes("vuid"));
    }

    [Fact]
    public async Task An_unknown_service_is_a_bad_request()
    {
        var browser = SampleClient.Create(factory);

        var answer = await browser.PostFormAsync("/", "/_fp/consent", ("choice", "custom"), ("service", "marketing/tiktok"));

        Assert.Equal(400, answer.Status);
        Assert.Null(answer.Cookie("_fp_consent"));
    }

    [Fact]
    public async Task A_middleware_ahead_of_UseFirstParty_cannot_slip_a_cookie_past_the_gate()
    {
        using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new EarlyCookieWriter())));
        var browser = SampleClient.Create(app);

        var undecided = await browser.NavigateAsync("/?" + EarlyCookieWriter.Write);
        await browser.ChooseAsync("custom", "/", "preferences");
        var decided = await browser.NavigateAsync("/?" + EarlyCookieWriter.Write);

        Assert.Equal(200, undecided.Status);
        Assert.Null(undecided.Cookie("theme"));
        Assert.Null(undecided.Cookie("VISITOR_INFO1_LIVE"));
        Assert.Equal("early", decided.Cookie("theme")?.Value.ToString());
        Assert.Null(decided.Cookie("VISITOR_INFO1_LIVE"));
    }

    [Fact]
    public async Task A_response_answered_ahead_of_UseFirstParty_is_gated_by_the_consent_cookie()
    {
        using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<IStartupFilter>(new EarlyCookieWriter())));
        var browser = SampleClient.Create(app);

        var undecided = await browser.NavigateAsync(EarlyCookieWriter.AnswerPath);
        await browser.ChooseAsync("custom", "/", "preferences");
        var decided = await browser.NavigateAsync(EarlyCookieWriter.AnswerPath);

        Assert.Equal(200, undecided.Status);
        Assert.Equal("answered early", undecided.Body);
        Assert.Null(undecided.Cookie("theme"));
        Assert.Null(undecided.Cookie("VISITOR_INFO1_LIVE"));
        Assert.Equal("early", decided.Cookie("theme")?.Value.ToString());
        Assert.Null(decided.Cookie("VISITOR_INFO1_LIVE"));
    }

    /// <summary>
    /// A middleware ahead of the sample's whole pipeline: on request it writes a preferences cookie
    /// and a marketing cookie, one as a raw header and one in an <c>OnStarting</c> callback, and
    /// answers <see cref="AnswerPath"/> itself.
    /// </summary>
    private sealed class EarlyCookieWriter : IStartupFilter
    {
        public const string Write = "early-cookies";
        public const string AnswerPath = "/answered-early";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                var answer = context.Request.Path.Equals(AnswerPath, StringComparison.Ordinal);
                if (!answer && !context.Request.Query.ContainsKey(Write))
                {
                    await nextMiddleware(context);
                    return;
                }

                context.Response.Headers.Append("Set-Cookie", "theme=early; path=/");
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.Append("Set-Cookie", "VISITOR_INFO1_LIVE=early; path=/");
                    return Task.CompletedTask;
                });
                if (answer)
                {
                    await context.Response.WriteAsync("answered early");
                    return;
                }

                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
