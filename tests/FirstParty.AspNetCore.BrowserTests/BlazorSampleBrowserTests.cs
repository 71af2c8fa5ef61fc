using System.Text.Json;
using FirstParty.AspNetCore.Testing;
using Microsoft.Playwright;
using static FirstParty.AspNetCore.BrowserTests.BrowserTestSupport;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The Blazor sample with the real blazor.web.js: enhanced navigation keeps sessions right,
/// firstparty.js survives it (one instance, one enhancedload listener, gated scripts revived once),
/// the static SSR consent form works without JavaScript, axe-core and the strict CSP find nothing.
/// </summary>
public sealed class BlazorSampleBrowserTests(BlazorSampleFixture site) : IClassFixture<BlazorSampleFixture>
{
    private const string EnhancedNavigationAccept = "text/html; blazor-enhanced-nav=on";

    // Init scripts run before blazor.web.js: when it publishes window.Blazor and then gives it
    // addEventListener, count the enhancedload registrations and how often each listener is called.
    // Each registration gets its own wrapper, so a duplicate would show even though Blazor keeps a Set.
    private const string CountEnhancedLoadListeners = """
        window.__enhancedloadRegistrations = 0;
        window.__enhancedloadCalls = 0;
        let blazor;
        Object.defineProperty(window, 'Blazor', {
          configurable: true,
          get: () => blazor,
          set: value => {
            blazor = value;
            let add;
            Object.defineProperty(value, 'addEventListener', {
              configurable: true,
              get: () => add,
              set: original => {
                add = (name, callback, ...rest) => {
                  if (name !== 'enhancedload') return original(name, callback, ...rest);
                  window.__enhancedloadRegistrations++;
                  return original(name, (...args) => { window.__enhancedloadCalls++; return callback(...args); }, ...rest);
                };
              },
            });
          },
        });
        """;

    // Init scripts are exempt from CSP: they record every violation the page's document reports.
    private const string RecordViolations = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e =>
          window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber
            + ' ' + (e.target.outerHTML || '').slice(0, 160)));
        """;

    // Records, before any page script runs, the order in which the gated scripts take effect: the
    // sample's analytics.js sets harbourAnalyticsRuns, Snowplow's SDK publishes snowplowBrowserTracking,
    // and the snippet's inline start stores its tracker in firstPartyTrackers.
    private const string RecordScriptOrder = """
        window.__scriptOrder = [];
        for (const [name, label] of [['harbourAnalyticsRuns', 'analytics'], ['snowplowBrowserTracking', 'snowplow-sdk'], ['firstPartyTrackers', 'snowplow-tracker']]) {
          let value;
          Object.defineProperty(window, name, {
            configurable: true,
            get: () => value,
            set: v => { if (value === undefined) window.__scriptOrder.push(label); value = v; },
          });
        }
        """;

    private static readonly string[] GatedScriptOrder = ["analytics", "snowplow-sdk", "snowplow-tracker"];

    /// <summary>Whether a request is for one of the gated scripts (the sample's analytics.js or Snowplow's SDK).</summary>
    private static bool IsGatedScript(IRequest request)
    {
        var path = new Uri(request.Url).AbsolutePath;
        return path == "/js/analytics.js" || path.StartsWith("/sdk/snowplow/", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Before_consent_no_gated_script_is_requested_in_any_render_mode_and_after_it_each_once()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var gated = new List<string>();
        page.Request += (_, request) =>
        {
            if (IsGatedScript(request))
            {
                gated.Add(new Uri(request.Url).AbsolutePath);
            }
        };

        // Static SSR, a full load of each interactive mode, and enhanced navigations between them.
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await page.GotoAsync(site.Url("/server"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("Server");
        await page.GotoAsync(site.Url("/webassembly"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("WebAssembly", new() { Timeout = 60_000 });
        await NavigateAsync(page, "Video", "/video");
        await NavigateAsync(page, "Server", "/server");
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("Server");
        await NavigateAsync(page, "Privacy", "/privacy");
        await NavigateAsync(page, "Home", "/");

        Assert.Empty(gated);
        Assert.True(await page.EvaluateAsync<bool>("() => window.harbourAnalyticsRuns === undefined && typeof snowplowBrowserTracking === 'undefined'"));
        await Expect(page.Locator("div[data-permanent] script[type='text/plain'][data-fp-consent='analytics']")).ToHaveCountAsync(3);

        // The recording sees them: on consent each is fetched, once.
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        await page.WaitForFunctionAsync("() => window.harbourAnalyticsRuns === 1 && !!window.firstPartyTrackers?.snowplow");
        Assert.Equal(new[] { "/js/analytics.js", "/sdk/snowplow/index.umd.min.js" }, gated);
    }

    [Fact]
    public async Task Each_enhanced_navigation_is_a_snowplow_page_view_with_the_page_before_as_referrer_and_none_after_withdrawal()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var pageViews = new System.Collections.Concurrent.ConcurrentQueue<(string Path, string? Referrer)>();
        page.Request += (_, request) =>
        {
            if (request.Method != "POST" || !new Uri(request.Url).AbsolutePath.StartsWith("/stub/snowplow/", StringComparison.Ordinal))
            {
                return;
            }

            // The real tracker's tp2 payload: a self-describing payload_data envelope of events.
            using var body = JsonDocument.Parse(request.PostData!);
            foreach (var hit in body.RootElement.GetProperty("data").EnumerateArray().Where(e => e.GetProperty("e").GetString() == "pv"))
            {
                var referrer = hit.TryGetProperty("refr", out var refr) ? new Uri(refr.GetString()!).AbsolutePath : null;
                pageViews.Enqueue((new Uri(hit.GetProperty("url").GetString()!).AbsolutePath, referrer));
            }
        };

        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        await EventuallyAsync(() => pageViews.Count == 1, "the page where the visitor accepted is tracked");
        await NavigateAsync(page, "Privacy", "/privacy");
        await EventuallyAsync(() => pageViews.Count == 2, "the page after the first enhanced navigation is tracked");
        await NavigateAsync(page, "Video", "/video");
        await EventuallyAsync(() => pageViews.Count == 3, "the page after the second enhanced navigation is tracked");

        Assert.Equal(new[] { "/", "/privacy", "/video" }, pageViews.Select(v => v.Path));
        Assert.Equal(new string?[] { "/", "/privacy" }, pageViews.Skip(1).Select(v => v.Referrer));

        // After withdrawal the tracker is still in the page, but the next page is not tracked: count what
        // reaches the tracker, once the navigation event (heard after the snippet's listener) is over.
        await page.EvaluateAsync("() => window.firstParty.withdraw()");
        await page.EvaluateAsync("""
            () => {
              window.__trackedAfterWithdrawal = 0;
              window.__navigations = 0;
              const track = snowplowBrowserTracking.trackPageView;
              snowplowBrowserTracking.trackPageView = (...args) => { window.__trackedAfterWithdrawal++; return track(...args); };
              document.addEventListener('firstparty:navigate', () => window.__navigations++);
            }
            """);
        await NavigateAsync(page, "Home", "/");
        await page.WaitForFunctionAsync("() => window.__navigations === 1");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.__trackedAfterWithdrawal"));
        Assert.Equal(3, pageViews.Count);
    }

    [Fact]
    public async Task Accept_from_the_interactive_server_component_applies_without_a_reload_and_revives_the_scripts_in_order()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(RecordScriptOrder);
        var page = await context.NewPageAsync();
        var documents = 0;
        page.Request += (_, request) => documents += request.ResourceType == "document" && request.Frame.ParentFrame is null ? 1 : 0;

        await page.GotoAsync(site.Url("/server"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("Server");
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("refused");
        await Expect(page.Locator("[data-summary-visitor-id]")).ToHaveTextAsync("none");
        await Expect(page.Locator("[data-ask]")).ToBeVisibleAsync();
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await page.EvaluateAsync(SetMarker);

        // FirstPartyConsent.AcceptAllAsync from the component's button: posted through firstparty.js.
        var post = await ClickAndWaitForConsentPostAsync(page, page.Locator("button[data-accept-analytics]"));
        Assert.Equal(200, post.Status);

        // The cascading state changed in the circuit: the component and its ConsentGate re-rendered.
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("granted");
        await Expect(page.Locator("[data-consent-youtube]")).ToHaveTextAsync("granted");
        await Expect(page.Locator("[data-thanks]")).ToBeVisibleAsync();
        await Expect(page.Locator("[data-ask]")).ToHaveCountAsync(0);
        var state = await ServerStateAsync(page);
        Assert.True(Granted(state, "analytics"));
        await Expect(page.Locator("[data-summary-visitor-id]")).ToHaveTextAsync(Visitor(state).VisitorId);

        // firstparty.js removed the banner and ran the gated scripts, in document order.
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.WaitForFunctionAsync("() => window.harbourAnalyticsRuns === 1 && !!window.firstPartyTrackers?.snowplow");
        Assert.Equal(GatedScriptOrder, await page.EvaluateAsync<string[]>("() => window.__scriptOrder"));

        // No reload: the marker survived and there was one document.
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        Assert.Equal(1, documents);

        // The circuit still works.
        await page.Locator("button", new() { HasText = "Add a cup" }).ClickAsync();
        await Expect(page.Locator("[data-cups]")).ToHaveTextAsync("1 cups");
    }

    [Fact]
    public async Task Accept_in_the_banner_updates_the_interactive_server_component_without_a_reload()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(RecordScriptOrder);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/server"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("Server");
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("refused");
        await page.EvaluateAsync(SetMarker);

        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));

        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("granted");
        await Expect(page.Locator("[data-thanks]")).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => window.harbourAnalyticsRuns === 1 && !!window.firstPartyTrackers?.snowplow");
        Assert.Equal(GatedScriptOrder, await page.EvaluateAsync<string[]>("() => window.__scriptOrder"));
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
    }

    [Fact]
    public async Task The_webassembly_component_shows_the_consent_state_refused_before_and_granted_with_the_visitor_after_accept_elsewhere()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/webassembly"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("WebAssembly", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("refused");
        await Expect(page.Locator("[data-summary-visitor-id]")).ToHaveTextAsync("none");

        // Accept on another page (static SSR), then back to the WebAssembly page by enhanced navigation.
        await NavigateAsync(page, "Home", "/");
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        var visitorId = Visitor(await ServerStateAsync(page)).VisitorId;
        await page.EvaluateAsync(SetMarker);
        await NavigateAsync(page, "WebAssembly", "/webassembly");

        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("WebAssembly", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("granted");
        await Expect(page.Locator("[data-consent-youtube]")).ToHaveTextAsync("granted");
        await Expect(page.Locator("[data-summary-visitor-id]")).ToHaveTextAsync(visitorId);
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");

        // And in a fresh load, from the state the server persisted while prerendering.
        await page.GotoAsync(site.Url("/webassembly"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("WebAssembly", new() { Timeout = 60_000 });
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("granted");
        await Expect(page.Locator("[data-summary-visitor-id]")).ToHaveTextAsync(visitorId);
    }

    [Fact]
    public async Task Enhanced_navigation_slides_the_session_within_the_timeout_and_starts_a_new_one_after_it()
    {
        await using var context = await site.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var documents = new List<IRequest>();
        var enhanced = new List<IResponse>();
        page.Request += (_, request) =>
        {
            // The top-level document only: the video page's player is a document of its own frame.
            if (request.ResourceType == "document" && request.Frame.ParentFrame is null)
            {
                documents.Add(request);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Request.Headers.TryGetValue("accept", out var accept) && accept == EnhancedNavigationAccept)
            {
                enhanced.Add(response);
            }
        };

        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty && !!window.Blazor?.addEventListener");
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        var first = Visitor(await ServerStateAsync(page));
        Assert.NotNull(first.SessionId);
        await page.EvaluateAsync(SetMarker);

        // Well within the timeout between clicks (a busy machine can take seconds for one), for longer
        // than the timeout in all: one session.
        var started = DateTime.UtcNow;
        foreach (var (link, path) in new[] { ("Privacy", "/privacy"), ("Video", "/video"), ("Home", "/"), ("Privacy", "/privacy"), ("Home", "/") })
        {
            await Task.Delay(BlazorSampleFixture.SessionTimeout / 4);
            await NavigateAsync(page, link, path);
        }

        Assert.True(DateTime.UtcNow - started > BlazorSampleFixture.SessionTimeout, "the navigations must span more than one timeout");
        var slid = Visitor(await ServerStateAsync(page));
        Assert.Equal(first.VisitorId, slid.VisitorId);
        Assert.Equal(first.SessionId, slid.SessionId);
        Assert.Equal(first.SessionIndex, slid.SessionIndex);

        // The session cookie was rewritten by the enhanced navigations themselves: that is what slides it.
        var rewrites = 0;
        foreach (var response in enhanced)
        {
            rewrites += await SetsCookieAsync(response, "_fp_ses") ? 1 : 0;
        }

        Assert.True(rewrites > 0, "no enhanced navigation rewrote the session cookie");

        // The page the server rendered shows the same session: the enhanced updates merged its HTML.
        await Expect(page.Locator("footer [data-session-id]")).ToHaveTextAsync(first.SessionId!);

        // Past the timeout, the next click starts a new session of the same visitor.
        await Task.Delay(BlazorSampleFixture.SessionTimeout + TimeSpan.FromSeconds(1));
        await NavigateAsync(page, "Video", "/video");
        var next = Visitor(await ServerStateAsync(page));
        Assert.Equal(first.VisitorId, next.VisitorId);
        Assert.NotEqual(first.SessionId, next.SessionId);
        Assert.Equal(first.SessionIndex + 1, next.SessionIndex);
        await Expect(page.Locator("footer [data-session-id]")).ToHaveTextAsync(next.SessionId!);

        // Every page change was an enhanced fetch, never a document load: one document in all.
        Assert.True(await page.EvaluateAsync<bool>(ReadMarker), "the page reloaded");
        Assert.Single(documents);
        Assert.Equal(6, enhanced.Count(r => r.Request.Method == "GET" && r.Request.ResourceType == "fetch"));
        foreach (var response in enhanced)
        {
            Assert.Equal("allow", await response.HeaderValueAsync("blazor-enhanced-nav"));
        }
    }

    [Fact]
    public async Task Firstparty_js_keeps_one_instance_and_listener_and_revives_gated_scripts_once_after_consent_elsewhere()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(CountEnhancedLoadListeners);
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/"));
        await page.WaitForFunctionAsync("() => !!window.firstParty && window.__enhancedloadRegistrations > 0");
        await page.EvaluateAsync("() => { window.__firstParty = window.firstParty; }");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.harbourAnalyticsRuns ?? 0"));

        // Enhanced navigations without consent: nothing runs, the script stays the one instance.
        await NavigateAsync(page, "Privacy", "/privacy");
        await NavigateAsync(page, "Video", "/video");
        await page.WaitForFunctionAsync("() => window.__enhancedloadCalls >= 2");
        Assert.Equal(0, await page.EvaluateAsync<int>("() => window.harbourAnalyticsRuns ?? 0"));
        await Expect(page.Locator("script[data-fp-consent='analytics']")).ToHaveCountAsync(3);

        // The visitor accepts in another tab; this page learns of it from the next page the server renders.
        var other = await context.NewPageAsync();
        await other.GotoAsync(site.Url("/privacy"));
        await other.WaitForFunctionAsync("() => !!window.firstParty");
        await other.EvaluateAsync("() => window.firstParty.accept()");
        Assert.False(await page.EvaluateAsync<bool>("() => window.firstParty.getState().categories.analytics"));

        await NavigateAsync(page, "Home", "/");
        await page.WaitForFunctionAsync("() => window.harbourAnalyticsRuns === 1 && !!window.firstPartyTrackers?.snowplow");
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty.getState().decided && window.firstParty.getState().categories.analytics"));
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await Expect(page.Locator("script[data-fp-consent]")).ToHaveCountAsync(0);

        // More enhanced navigations: the revived scripts are not run again, and nothing was registered twice.
        await NavigateAsync(page, "Video", "/video");
        await NavigateAsync(page, "Privacy", "/privacy");
        await page.WaitForFunctionAsync("() => window.__enhancedloadCalls >= 5");
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.harbourAnalyticsRuns"));
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.__enhancedloadRegistrations"));
        Assert.Equal(5, await page.EvaluateAsync<int>("() => window.__enhancedloadCalls"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.firstParty === window.__firstParty"));

        // The embed the visitor now allows is rendered by the server as it is.
        await NavigateAsync(page, "Video", "/video");
        await Expect(page.FrameLocator("iframe[src^='/embed/roasting']").Locator("p")).ToHaveTextAsync("Video: how we roast");
    }

    [Fact]
    public async Task Without_javascript_the_static_ssr_consent_form_posts_redirects_and_sets_the_cookie()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/video"));
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        Assert.DoesNotContain("_fp_consent", await context.CookieNamesAsync());

        var post = await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));

        Assert.Equal(303, post.Status);
        Assert.Equal("/video", new Uri(await post.HeaderValueAsync("location") ?? "", UriKind.RelativeOrAbsolute).ToString());
        Assert.True(await SetsCookieAsync(post, "_fp_consent"));
        await page.WaitForURLAsync(site.Url("/video"));
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        Assert.Contains("_fp_consent", await context.CookieNamesAsync());
        Assert.Contains("_fp_id", await context.CookieNamesAsync());
        var state = await ContextStateAsync(context);
        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.True(Granted(state, "analytics"));

        // The embed the visitor allowed is now served as it is, without a placeholder.
        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToHaveCountAsync(1);
        await Expect(page.Locator("[data-fp-placeholder]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Without_javascript_the_embed_placeholder_allows_its_service()
    {
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url("/video"));
        await Expect(page.Locator(YouTube)).ToBeVisibleAsync();

        var post = await ClickAndWaitForConsentPostAsync(page, page.Locator($"{YouTube} button[data-fp-allow='always']"));

        Assert.Equal(303, post.Status);
        await page.WaitForURLAsync(site.Url("/video"));
        await Expect(page.Locator("iframe[src^='/embed/roasting']")).ToHaveCountAsync(1);
        var state = await ContextStateAsync(context);
        Assert.True(ServiceGranted(state, "marketing/youtube"));
        Assert.False(Granted(state, "analytics"));
    }

    [Theory]
    [InlineData("/", "Static")]
    [InlineData("/server", "Server")]
    [InlineData("/webassembly", "WebAssembly")]
    [InlineData("/video", "Static")]
    [InlineData("/privacy", "Static")]
    public async Task Every_page_with_the_banner_has_no_axe_violations_before_and_after_consent(string path, string renderMode)
    {
        // axe-core is injected as a script tag: the sample's strict CSP would block it.
        await using var context = await site.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(site.Url(path));
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        if (renderMode != "Static")
        {
            await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync(renderMode, new() { Timeout = 60_000 });
        }

        await page.EvaluateAsync("() => Promise.all(document.getAnimations().map(a => a.finished))");
        await AssertNoAxeViolationsAsync(page, $"on the Blazor sample's {path} with the banner");

        // After a decision: the page as the server renders it then (the privacy centre decided, the embed shown).
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        await Expect(page.Locator(Banner)).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        if (renderMode != "Static")
        {
            await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("granted", new() { Timeout = 60_000 });
        }

        await AssertNoAxeViolationsAsync(page, $"on the Blazor sample's {path} after consent");
    }

    [Fact]
    public async Task Under_the_strict_policy_every_render_mode_runs_without_a_violation()
    {
        await using var context = await site.Browser.NewContextAsync();
        await context.AddInitScriptAsync(RecordViolations);
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        async Task CollectAsync(string step)
            => violations.AddRange((await page.EvaluateAsync<string[]>("() => window.__cspViolations")).Select(v => step + ": " + v));

        var response = await page.GotoAsync(site.Url("/"));
        var policy = await response!.HeaderValueAsync("content-security-policy");
        Assert.Matches("script-src 'self' 'wasm-unsafe-eval' 'nonce-[^']+'", policy);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("'unsafe-eval'", policy, StringComparison.Ordinal);
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await CollectAsync("first load");

        // Accept: the gated scripts (an external script, Snowplow's SDK and its start) revived with the nonce.
        await ClickAndWaitForConsentPostAsync(page, page.Locator(AcceptAll));
        await page.WaitForFunctionAsync("() => window.harbourAnalyticsRuns === 1 && !!window.firstPartyTrackers?.snowplow");
        await CollectAsync("accept all");

        // InteractiveServer: the circuit connects and the button works.
        await NavigateAsync(page, "Server", "/server");
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("Server");
        await page.Locator("button", new() { HasText = "Add a cup" }).ClickAsync();
        await Expect(page.Locator("[data-cups]")).ToHaveTextAsync("1 cups");
        await CollectAsync("interactive server");

        // InteractiveWebAssembly: the .NET runtime loads and compiles under 'wasm-unsafe-eval'.
        await NavigateAsync(page, "WebAssembly", "/webassembly");
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("WebAssembly", new() { Timeout = 60_000 });
        await page.Locator("button", new() { HasText = "Add a minute" }).ClickAsync();
        await Expect(page.Locator("[data-minutes]")).ToHaveTextAsync("13 minutes");
        await CollectAsync("interactive webassembly");

        // A full load of the WebAssembly page (prerendered, then started from the document).
        await page.GotoAsync(site.Url("/webassembly"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("WebAssembly", new() { Timeout = 60_000 });
        await CollectAsync("webassembly load");

        await NavigateAsync(page, "Video", "/video");
        await Expect(page.FrameLocator("iframe[src^='/embed/roasting']").Locator("p")).ToHaveTextAsync("Video: how we roast");
        await CollectAsync("video");

        // The privacy centre and the cookie table (static SSR), then withdraw there: the preferences
        // open in place from the footer's <ConsentPreferencesButton />.
        await NavigateAsync(page, "Privacy", "/privacy");
        await Expect(page.Locator("[data-fp-centre]")).ToBeVisibleAsync();
        await CollectAsync("privacy");
        await page.Locator("footer [data-fp-open-preferences]").ClickAsync();
        await Expect(page.Locator(Banner)).ToBeVisibleAsync();
        await CollectAsync("preferences");

        // A fresh, undecided visitor accepting from the InteractiveServer component's own button.
        await context.ClearCookiesAsync();
        await page.GotoAsync(site.Url("/server"));
        await Expect(page.Locator("[data-render-mode]")).ToHaveTextAsync("Server");
        await page.WaitForFunctionAsync("() => !!window.firstParty");
        await ClickAndWaitForConsentPostAsync(page, page.Locator("button[data-accept-analytics]"));
        await Expect(page.Locator("[data-consent-analytics]")).ToHaveTextAsync("granted");
        await page.WaitForFunctionAsync("() => window.harbourAnalyticsRuns === 1 && !!window.firstPartyTrackers?.snowplow");
        await CollectAsync("accept from the server component");

        Assert.True(violations.Count == 0, "CSP violations:\n" + string.Join("\n", violations));
    }

    /// <summary>Clicks a main navigation link and waits until Blazor has merged the new page.</summary>
    private static async Task NavigateAsync(IPage page, string link, string path)
    {
        await page.RunAndWaitForResponseAsync(
            () => page.Locator("nav[aria-label='Main']").GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync(),
            r => new Uri(r.Url).AbsolutePath == path && r.Request.Method == "GET");
        await page.WaitForFunctionAsync(
            "path => location.pathname === path && document.querySelector(\"nav[aria-label='Main'] a.active\")?.getAttribute('href') === path", path);
    }

    private Task<JsonElement> ContextStateAsync(IBrowserContext context) => BrowserTestSupport.ServerStateAsync(context, site.Url("/_fp/consent"));

    private static (string VisitorId, string? SessionId, int SessionIndex) Visitor(JsonElement state)
    {
        var visitor = state.GetProperty("visitor");
        Assert.Equal(JsonValueKind.Object, visitor.ValueKind);
        return (visitor.GetProperty("id").GetString()!, visitor.GetProperty("sessionId").GetString(), visitor.GetProperty("sessionIndex").GetInt32());
    }

    /// <summary>Whether the response stores the cookie (Playwright keeps Set-Cookie out of Headers).</summary>
    private static async Task<bool> SetsCookieAsync(IResponse response, string name)
        => (await response.HeadersArrayAsync())
            .Where(header => header.Name.Equals("set-cookie", StringComparison.OrdinalIgnoreCase))
            .SelectMany(header => header.Value.Split('\n'))
            .Any(line => line.StartsWith(name + "=", StringComparison.Ordinal) && !line.Contains("max-age=0", StringComparison.OrdinalIgnoreCase));

    /// <summary>The cookie audit's browser mode over the Blazor sample: blazor.web.js and the WebAssembly app run, and still nothing is stored before consent or against a refusal.</summary>
    [Fact]
    public async Task The_cookie_audit_in_the_browser_passes_on_the_blazor_sample()
    {
        var report = await site.Browser.AuditCookiesAsync(
            site.BaseAddress, site.Services, ["/"],
            [CookieAuditState.Undecided, CookieAuditState.RejectAll, CookieAuditState.AcceptAll]);

        report.AssertCompliant();
        Assert.Contains(report.States.Single(s => s.Name == "accept-all").Pages[0].Items, i => i.Name == "_fp_id" && i.Category == "analytics");
        Assert.All(report.States[0].Pages, p => Assert.True(p.RejectOnFirstLayer));
    }
}
