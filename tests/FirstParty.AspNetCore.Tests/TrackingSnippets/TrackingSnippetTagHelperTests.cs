using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.TagHelpers;
using FirstParty.AspNetCore.Tests.Providers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Tests.TrackingSnippets;

/// <summary><c>&lt;tracking-snippet provider="…" /&gt;</c>, rendered by hand.</summary>
public sealed class TrackingSnippetTagHelperTests : IDisposable
{
    private const string UserId = "user-42";

    private readonly List<SnippetTestHost> _hosts = [];

    public void Dispose()
    {
        foreach (var host in _hosts)
        {
            host.Dispose();
        }
    }

    private SnippetTestHost Host(Action<FirstPartyOptions>? configure = null, Action<IFirstPartyBuilder>? add = null)
    {
        var host = SnippetTestHost.Create(configure, add);
        _hosts.Add(host);
        return host;
    }

    private SnippetTestHost AcmeHost(params TrackingScript[] scripts)
    {
        var host = Host(add: b => b.AddTrackingProvider<AcmeProvider>());
        host.Plan.Scripts.AddRange(scripts);
        return host;
    }

    private static readonly TrackingScript[] MixedScripts =
    [
        new() { Src = "https://cdn.example/first.js", Async = true, Integrity = "sha384-abc" },
        new() { Code = "acme.init({\"a\":1});" },
        new() { Src = "/js/third.js" },
        new() { Src = "/js/fourth.js", Attributes = new Dictionary<string, string> { ["data-domain"] = "shop.example", ["defer"] = string.Empty } },
    ];

    private static void AssertLogged(SnippetTestHost host, string eventName, string provider)
    {
        var record = Assert.Single(host.Logs.GetSnapshot(), r => r.Category == typeof(TrackingSnippetTagHelper).FullName);
        Assert.Equal(LogLevel.Warning, record.Level);
        Assert.Equal(eventName, record.Id.Name);
        Assert.Contains(provider, record.Message, StringComparison.Ordinal);
    }

    // ---- granted ----

    [Fact]
    public async Task Granted_scripts_render_executable_in_order_with_the_nonce()
    {
        var host = AcmeHost(MixedScripts);
        var http = host.CreateHttpContext();
        host.SetDecided(http, "marketing");

        var rendered = await host.RenderAsync(http, AcmeProvider.ProviderName);

        Assert.Null(rendered.Output.TagName);
        Assert.Equal(
            "<script nonce=\"n0nce-value\" src=\"https://cdn.example/first.js\" async integrity=\"sha384-abc\" crossorigin=\"anonymous\"></script>"
            + "<script nonce=\"n0nce-value\">acme.init({\"a\":1});</script>"
            + "<script nonce=\"n0nce-value\" src=\"/js/third.js\"></script>"
            + "<script nonce=\"n0nce-value\" src=\"/js/fourth.js\" data-domain=\"shop.example\" defer></script>",
            rendered.Html);
        Assert.True(host.Plan.LastContext!.Granted);
    }

    [Fact]
    public async Task Granted_scripts_carry_no_inert_markers()
    {
        var host = AcmeHost(MixedScripts);
        var http = host.CreateHttpContext();
        host.SetDecided(http, "marketing");

        var scripts = Scripts.Parse((await host.RenderAsync(http, AcmeProvider.ProviderName)).Html);

        Assert.Equal(4, scripts.Count);
        Assert.All(scripts, s =>
        {
            Assert.Equal(SnippetTestHost.Nonce, s["nonce"]);
            Assert.False(s.Has("type"));
            Assert.False(s.Has("data-fp-consent"));
            Assert.False(s.Has("data-fp-src"));
        });
        Assert.Equal(["https://cdn.example/first.js", null, "/js/third.js", "/js/fourth.js"], scripts.Select(s => s["src"]));
    }

    [Fact]
    public async Task Async_is_written_only_for_an_external_script_that_asks_for_it()
    {
        var host = AcmeHost(
            new TrackingScript { Src = "/a.js", Async = true },
            new TrackingScript { Src = "/b.js", Async = false },
            new TrackingScript { Code = "x();", Async = true });
        var http = host.CreateHttpContext();
        host.SetDecided(http, "marketing");

        var scripts = Scripts.Parse((await host.RenderAsync(http, AcmeProvider.ProviderName)).Html);

        Assert.Equal([true, false, false], scripts.Select(s => s.Has("async")));
        Assert.Null(scripts[0]["async"]);
    }

    [Fact]
    public async Task Integrity_adds_anonymous_crossorigin_and_its_absence_adds_neither()
    {
        var host = AcmeHost(
            new TrackingScript { Src = "/a.js", Integrity = "sha384-AAAA" },
            new TrackingScript { Src = "/b.js" });
        var http = host.CreateHttpContext();
        host.SetDecided(http, "marketing");

        var scripts = Scripts.Parse((await host.RenderAsync(http, AcmeProvider.ProviderName)).Html);

        Assert.Equal("sha384-AAAA", scripts[0]["integrity"]);
        Assert.Equal("anonymous", scripts[0]["crossorigin"]);
        Assert.False(scripts[1].Has("integrity"));
        Assert.False(scripts[1].Has("crossorigin"));
    }

    [Fact]
    public async Task Granted_plausible_renders_one_deferred_script_with_its_domain()
    {
        var host = Host(o =>
        {
            o.Providers.Plausible.Domain = "shop.example";
            o.Providers.Plausible.Integrity = "sha384-PLAUS";
        });
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, "plausible");

        Assert.Equal(
            "<script nonce=\"n0nce-value\" src=\"https://plausible.io/js/script.js\" integrity=\"sha384-PLAUS\" crossorigin=\"anonymous\" data-domain=\"shop.example\" defer></script>",
            rendered.Html);
    }

    [Fact]
    public async Task Granted_snowplow_loads_the_tracker_before_its_inline_code_with_the_user_id()
    {
        var host = Host(o =>
        {
            o.Providers.Snowplow.ScriptUrl = "/js/sp.js";
            o.Providers.Snowplow.CollectorUrl = "/collector";
        });
        var http = host.CreateHttpContext(pathBase: "/shop");
        SnippetTestHost.SignIn(http, UserId);
        host.SetDecided(http, "analytics");

        var scripts = Scripts.Parse((await host.RenderAsync(http, "snowplow")).Html);

        Assert.Equal(2, scripts.Count);
        Assert.Equal("/js/sp.js", scripts[0]["src"]);
        Assert.False(scripts[0].Has("async"));
        Assert.Equal(string.Empty, scripts[0].Text);
        Assert.Null(scripts[1]["src"]);
        Assert.Contains("\"https://shop.example/shop/collector\"", scripts[1].Text, StringComparison.Ordinal);
        Assert.Contains("snowplowBrowserTracking.setUserId(\"user-42\");", scripts[1].Text, StringComparison.Ordinal);
        Assert.All(scripts, s => Assert.Equal(SnippetTestHost.Nonce, s["nonce"]));
    }

    [Fact]
    public async Task Without_a_nonce_option_no_nonce_attribute_is_written()
    {
        var host = Host(o =>
        {
            o.Providers.Plausible.Domain = "shop.example";
            o.ScriptNonce = null;
        });
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, "plausible");

        Assert.DoesNotContain("nonce", rendered.Html, StringComparison.Ordinal);
        Assert.StartsWith("<script src=\"https://plausible.io/js/script.js\"", rendered.Html, StringComparison.Ordinal);
    }

    // ---- not granted ----

    [Fact]
    public async Task Refused_scripts_are_inert_text_keyed_by_the_consent_key_with_the_nonce()
    {
        var host = AcmeHost(MixedScripts);
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, AcmeProvider.ProviderName);

        Assert.Equal(
            "<script nonce=\"n0nce-value\" type=\"text/plain\" data-fp-consent=\"marketing\" data-fp-src=\"https://cdn.example/first.js\" async integrity=\"sha384-abc\" crossorigin=\"anonymous\"></script>"
            + "<script nonce=\"n0nce-value\" type=\"text/plain\" data-fp-consent=\"marketing\">acme.init({\"a\":1});</script>"
            + "<script nonce=\"n0nce-value\" type=\"text/plain\" data-fp-consent=\"marketing\" data-fp-src=\"/js/third.js\"></script>"
            + "<script nonce=\"n0nce-value\" type=\"text/plain\" data-fp-consent=\"marketing\" data-fp-src=\"/js/fourth.js\" data-domain=\"shop.example\" defer></script>",
            rendered.Html);
        Assert.False(host.Plan.LastContext!.Granted);
    }

    [Fact]
    public async Task Undecided_built_in_scripts_are_inert_with_no_src_anywhere()
    {
        var host = Host(o =>
        {
            o.Providers.Matomo.Url = "https://stats.example/";
            o.Providers.Matomo.SiteId = "7";
            o.Providers.Matomo.Category = "marketing";
        });
        var http = host.CreateHttpContext();
        host.SetUndecided(http);

        var rendered = await host.RenderAsync(http, "matomo");
        var scripts = Scripts.Parse(rendered.Html);

        Assert.Equal(2, scripts.Count);
        Assert.All(scripts, s =>
        {
            Assert.Equal("text/plain", s["type"]);
            Assert.Equal("marketing", s["data-fp-consent"]);
            Assert.Equal(SnippetTestHost.Nonce, s["nonce"]);
            Assert.False(s.Has("src"));
            Assert.Equal(1, s.Count("type"));
        });
        Assert.Null(scripts[0]["data-fp-src"]);
        Assert.Contains("_paq.push(['trackPageView'])", scripts[0].Text, StringComparison.Ordinal);
        Assert.Equal("https://stats.example/matomo.js", scripts[1]["data-fp-src"]);
        Assert.DoesNotContain(" src=", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_middleware_nothing_is_granted()
    {
        var host = Host(o => o.Providers.Plausible.Domain = "shop.example");
        var http = host.CreateHttpContext();

        var script = Assert.Single(Scripts.Parse((await host.RenderAsync(http, "plausible")).Html));

        Assert.Equal("text/plain", script["type"]);
        Assert.Equal("analytics", script["data-fp-consent"]);
        Assert.Equal("https://plausible.io/js/script.js", script["data-fp-src"]);
        Assert.False(script.Has("src"));
    }

    /// <summary>The same visitor and signed-in user: the ids appear once granted and never in inert code.</summary>
    [Fact]
    public async Task Refused_inline_code_carries_no_ids_even_with_a_visitor_and_a_signed_in_user()
    {
        var host = Host(
            o =>
            {
                o.Providers.Amplitude.ScriptUrl = "/js/amplitude.js";
                o.Providers.GoogleAnalytics.MeasurementId = "G-ABC123";
                o.Providers.Snowplow.ScriptUrl = "/js/sp.js";
                o.Providers.Snowplow.CollectorUrl = "/collector";
                o.Providers.Matomo.Url = "https://stats.example/";
                o.Providers.Matomo.SiteId = "7";
                o.Providers.Clarity.ProjectId = "abc123";
            },
            b => b.AddAmplitude(a => a.ApiKey = ProviderTestSupport.ApiKey).AddGoogleAnalytics().AddSnowplow());
        var visitor = new FakeVisitor();
        var clientId = GoogleAnalyticsProfile.DerivedClientId(visitor);

        async Task<string> RenderAllAsync(bool granted)
        {
            var http = host.CreateHttpContext();
            http.Features.Set<IVisitorFeature>(visitor);
            SnippetTestHost.SignIn(http, UserId);
            if (granted)
            {
                host.SetDecided(http, "analytics");
            }
            else
            {
                host.SetDecided(http, "preferences");
            }

            var html = string.Empty;
            foreach (var provider in new[] { "amplitude", "ga4", "snowplow", "matomo", "clarity" })
            {
                html += (await host.RenderAsync(http, provider)).Html;
            }

            return html;
        }

        var grantedHtml = await RenderAllAsync(granted: true);
        var refusedHtml = await RenderAllAsync(granted: false);

        // The control: the ids do reach granted code.
        Assert.Contains($"\"deviceId\":\"{ProviderTestSupport.VisitorId}\"", grantedHtml, StringComparison.Ordinal);
        Assert.Contains($"\"client_id\":\"{clientId}\"", grantedHtml, StringComparison.Ordinal);
        Assert.Contains("\"user_id\":\"user-42\"", grantedHtml, StringComparison.Ordinal);

        Assert.Equal(10, Scripts.Parse(refusedHtml).Count);
        Assert.All(Scripts.Parse(refusedHtml), s => Assert.Equal("text/plain", s["type"]));
        Assert.DoesNotContain(ProviderTestSupport.VisitorId, refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(clientId, refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(UserId, refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("deviceId", refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("client_id", refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("setUserId", refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("identify", refusedHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_custom_provider_gets_no_user_id_and_no_ids_when_refused()
    {
        var host = AcmeHost(new TrackingScript { Code = "x();" });
        var http = host.CreateHttpContext();
        SnippetTestHost.SignIn(http, UserId);
        host.SetDecided(http, "analytics");

        await host.RenderAsync(http, AcmeProvider.ProviderName);

        var context = host.Plan.LastContext!;
        Assert.False(context.Granted);
        Assert.Null(context.UserId);
        Assert.Equal(new ProviderIds(null, null, null), context.Ids);
        Assert.Same(http, context.HttpContext);
    }

    [Fact]
    public async Task A_custom_provider_gets_the_user_id_when_granted()
    {
        var host = AcmeHost(new TrackingScript { Code = "x();" });
        var http = host.CreateHttpContext();
        SnippetTestHost.SignIn(http, UserId);
        host.SetDecided(http, "marketing");

        await host.RenderAsync(http, AcmeProvider.ProviderName);

        Assert.True(host.Plan.LastContext!.Granted);
        Assert.Equal(UserId, host.Plan.LastContext.UserId);
    }

    // ---- nothing to render ----

    [Theory]
    [InlineData("nope")]
    [InlineData("ga5")]
    [InlineData("")]
    public async Task An_unknown_provider_renders_nothing_and_logs_a_warning(string provider)
    {
        var host = Host(o => o.Providers.GoogleAnalytics.MeasurementId = "G-ABC123");
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, provider);

        Assert.Equal(string.Empty, rendered.Html);
        Assert.Null(rendered.Output.TagName);
        AssertLogged(host, "TrackingProviderUnknown", provider);
    }

    [Fact]
    public async Task A_missing_provider_attribute_renders_nothing_and_logs_a_warning()
    {
        var host = Host();
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, null);

        Assert.Equal(string.Empty, rendered.Html);
        AssertLogged(host, "TrackingProviderUnknown", string.Empty);
    }

    [Theory]
    [InlineData("ga4")]
    [InlineData("amplitude")]
    [InlineData("snowplow")]
    [InlineData("matomo")]
    [InlineData("clarity")]
    [InlineData("plausible")]
    public async Task An_unconfigured_built_in_renders_nothing_and_logs_a_warning(string provider)
    {
        var host = Host();
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, provider);

        Assert.Equal(string.Empty, rendered.Html);
        Assert.Null(rendered.Output.TagName);
        AssertLogged(host, "TrackingProviderNotConfigured", provider);
    }

    [Fact]
    public async Task A_custom_provider_returning_no_scripts_renders_nothing_and_logs_a_warning()
    {
        var host = Host(add: b => b.AddTrackingProvider<EmptyProvider>());
        var http = host.CreateHttpContext();
        host.SetUndecided(http);

        var rendered = await host.RenderAsync(http, "empty");

        Assert.Equal(string.Empty, rendered.Html);
        AssertLogged(host, "TrackingProviderNotConfigured", "empty");
    }

    // ---- custom providers ----

    [Theory]
    [InlineData("Acme-Analytics")]
    [InlineData("acme-analytics")]
    [InlineData("ACME-ANALYTICS")]
    [InlineData("  acme-Analytics ")]
    public async Task A_custom_provider_is_found_by_name_without_case(string provider)
    {
        var host = AcmeHost(new TrackingScript { Code = "acme();" });
        var http = host.CreateHttpContext();
        host.SetDecided(http, "marketing");

        var rendered = await host.RenderAsync(http, provider);

        Assert.Equal("<script nonce=\"n0nce-value\">acme();</script>", rendered.Html);
        Assert.DoesNotContain(host.Logs.GetSnapshot(), r => r.Category == typeof(TrackingSnippetTagHelper).FullName);
    }

    [Fact]
    public async Task A_custom_provider_is_unknown_until_registered()
    {
        var host = Host();
        var http = host.CreateHttpContext();
        host.SetDecided(http, "marketing");

        var rendered = await host.RenderAsync(http, AcmeProvider.ProviderName);

        Assert.Equal(string.Empty, rendered.Html);
        AssertLogged(host, "TrackingProviderUnknown", AcmeProvider.ProviderName);
    }

    [Fact]
    public async Task A_custom_provider_named_like_a_built_in_replaces_it()
    {
        var host = Host(o => o.Providers.GoogleAnalytics.MeasurementId = "G-ABC123", b => b.AddTrackingProvider<CustomGa4Provider>());
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var rendered = await host.RenderAsync(http, "GA4");

        Assert.Equal($"<script nonce=\"n0nce-value\">{CustomGa4Provider.Code}</script>", rendered.Html);
        Assert.DoesNotContain("googletagmanager", rendered.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_built_in_is_used_when_no_custom_provider_takes_its_name()
    {
        var host = Host(o => o.Providers.GoogleAnalytics.MeasurementId = "G-ABC123", b => b.AddTrackingProvider<AcmeProvider>());
        var http = host.CreateHttpContext();
        host.SetDecided(http, "analytics");

        var scripts = Scripts.Parse((await host.RenderAsync(http, "ga4")).Html);

        Assert.Equal("https://www.googletagmanager.com/gtag/js?id=G-ABC123", scripts[0]["src"]);
    }

    // ---- escaping ----

    [Theory]
    [InlineData("var s = \"</script><script>alert(1)</script>\";", "var s = \"<\\/script><script>alert(1)<\\/script>\";")]
    [InlineData("x('</SCRIPT >');", "x('<\\/SCRIPT >');")]
    [InlineData("a</b", "a<\\/b")]
    public async Task Inline_code_cannot_close_the_script_element(string code, string written)
    {
        var host = AcmeHost(new TrackingScript { Code = code }, new TrackingScript { Code = "after();" });
        foreach (var consent in new[] { "marketing", "analytics" })
        {
            var http = host.CreateHttpContext();
            host.SetDecided(http, consent);

            var rendered = await host.RenderAsync(http, AcmeProvider.ProviderName);
            var scripts = Scripts.Parse(rendered.Html);

            Assert.Equal(2, scripts.Count);
            Assert.Equal(written, scripts[0].Text);
            Assert.Equal("after();", scripts[1].Text);
            Assert.Equal(2, Regex.Matches(rendered.Html, "</script", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant).Count);
        }
    }

    [Fact]
    public async Task Attribute_values_are_html_encoded()
    {
        const string src = "https://cdn.example/a.js?x=1&y=\"2\"";
        const string hostile = "\"><script>alert(1)</script>";
        var host = AcmeHost(new TrackingScript
        {
            Src = src,
            Integrity = "sha384-\"x",
            Attributes = new Dictionary<string, string> { ["data-label"] = hostile },
        });

        var granted = host.CreateHttpContext();
        host.SetDecided(granted, "marketing");
        var refused = host.CreateHttpContext();
        host.SetUndecided(refused);

        var grantedHtml = (await host.RenderAsync(granted, AcmeProvider.ProviderName)).Html;
        var refusedHtml = (await host.RenderAsync(refused, AcmeProvider.ProviderName)).Html;

        Assert.Contains(" src=\"https://cdn.example/a.js?x=1&amp;y=&quot;2&quot;\"", grantedHtml, StringComparison.Ordinal);
        Assert.Contains(" data-fp-src=\"https://cdn.example/a.js?x=1&amp;y=&quot;2&quot;\"", refusedHtml, StringComparison.Ordinal);
        foreach (var html in new[] { grantedHtml, refusedHtml })
        {
            var script = Assert.Single(Scripts.Parse(html));
            Assert.Equal(hostile, script["data-label"]);
            Assert.Equal("sha384-\"x", script["integrity"]);
            Assert.DoesNotContain("\"><script>", html, StringComparison.Ordinal);
            Assert.StartsWith("<script ", html, StringComparison.Ordinal);
            Assert.Equal(string.Empty, script.Text);
        }

        Assert.Equal(src, Assert.Single(Scripts.Parse(grantedHtml))["src"]);
        Assert.Equal(src, Assert.Single(Scripts.Parse(refusedHtml))["data-fp-src"]);
    }

    [Fact]
    public async Task The_nonce_and_the_consent_key_are_html_encoded()
    {
        var host = Host(o => o.ScriptNonce = static _ => "a\"b&c", b => b.AddTrackingProvider<AcmeProvider>());
        host.Plan.Scripts.Add(new TrackingScript { Code = "x();" });
        host.Plan.ConsentKey = "marketing\"&x";
        var http = host.CreateHttpContext();
        host.SetUndecided(http);

        var rendered = await host.RenderAsync(http, AcmeProvider.ProviderName);

        Assert.Equal("<script nonce=\"a&quot;b&amp;c\" type=\"text/plain\" data-fp-consent=\"marketing&quot;&amp;x\">x();</script>", rendered.Html);
    }
}
