using System.Text.Json;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary><c>&lt;consent-mode /&gt;</c>: Google Consent Mode v2 defaults and updates.</summary>
public sealed class ConsentModeTagHelperTests : IDisposable
{
    private static readonly string[] AdSignals = ["ad_storage", "ad_user_data", "ad_personalization"];

    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    private static Task<Rendered> RenderAsync(HttpContext http)
        => TagHelperTestContext.RunAsync(
            new ConsentModeTagHelper { ViewContext = TagHelperTestContext.ViewContextFor(http) },
            "consent-mode",
            tagMode: TagMode.SelfClosing);

    private static string Script(Rendered rendered) => rendered.Output.Content.GetContent();

    /// <summary>The object of <c>gtag('consent','{command}',{...})</c>, or null when the call is absent.</summary>
    private static Dictionary<string, JsonElement>? Command(string script, string command)
    {
        var matches = Regex.Matches(script, $"gtag\\('consent','{command}',(\\{{[^{{}}]*\\}})\\);");
        if (matches.Count == 0)
        {
            return null;
        }

        Assert.Single(matches);
        using var document = JsonDocument.Parse(matches[0].Groups[1].Value);
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
    }

    private static string State(Dictionary<string, JsonElement> states, string signal) => states[signal].GetString()!;

    [Fact]
    public async Task Renders_an_inline_script_element()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal("script", rendered.Output.TagName);
        Assert.Equal(TagMode.StartTagAndEndTag, rendered.Output.TagMode);
        Assert.True(rendered.Output.Attributes.ContainsName("data-fp-consent-mode"));
        Assert.Null(TagHelperTestContext.Attribute(rendered.Output, "nonce"));
        Assert.StartsWith("<script data-fp-consent-mode", rendered.Html, StringComparison.Ordinal);
        Assert.EndsWith("</script>", rendered.Html, StringComparison.Ordinal);
        Assert.StartsWith("window[\"dataLayer\"]=window[\"dataLayer\"]||[];", Script(rendered), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OptIn_undecided_denies_by_default_and_waits_for_an_update()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http, ConsentRegime.OptIn);

        var script = Script(await RenderAsync(http));

        var defaults = Command(script, "default")!;
        Assert.All(AdSignals, s => Assert.Equal("denied", State(defaults, s)));
        Assert.Equal("denied", State(defaults, "analytics_storage"));
        Assert.Equal("denied", State(defaults, "personalization_storage"));
        Assert.Equal("granted", State(defaults, "functionality_storage"));
        Assert.Equal("granted", State(defaults, "security_storage"));
        Assert.Equal(500, defaults["wait_for_update"].GetInt32());
        Assert.Null(Command(script, "update"));
    }

    [Fact]
    public async Task OptOut_undecided_grants_by_default()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http, ConsentRegime.OptOut);

        var script = Script(await RenderAsync(http));

        var defaults = Command(script, "default")!;
        Assert.All(defaults.Where(d => d.Key != "wait_for_update"), d => Assert.Equal("granted", d.Value.GetString()));
        Assert.Equal(8, defaults.Count);
        Assert.True(defaults.ContainsKey("wait_for_update"));
        Assert.Null(Command(script, "update"));
    }

    [Fact]
    public async Task OptOut_with_global_privacy_control_denies_ads_by_default()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http, ConsentRegime.OptOut, gpc: true);

        var defaults = Command(Script(await RenderAsync(http)), "default")!;

        Assert.All(AdSignals, s => Assert.Equal("denied", State(defaults, s)));
        Assert.Equal("granted", State(defaults, "analytics_storage"));
    }

    [Fact]
    public async Task Decided_keeps_regime_defaults_and_sends_the_choices_as_an_update()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "analytics");

        var script = Script(await RenderAsync(http));

        var defaults = Command(script, "default")!;
        Assert.Equal("denied", State(defaults, "analytics_storage"));
        Assert.False(defaults.ContainsKey("wait_for_update"));

        var update = Command(script, "update")!;
        Assert.Equal("granted", State(update, "analytics_storage"));
        Assert.All(AdSignals, s => Assert.Equal("denied", State(update, s)));
        Assert.Equal("denied", State(update, "personalization_storage"));
        Assert.Equal("granted", State(update, "security_storage"));
        Assert.False(update.ContainsKey("wait_for_update"));
        Assert.True(script.IndexOf("gtag('consent','default'", StringComparison.Ordinal) < script.IndexOf("gtag('consent','update'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Decided_accept_all_updates_every_signal_to_granted()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "preferences", "analytics", "marketing");

        var update = Command(Script(await RenderAsync(http)), "update")!;

        Assert.Equal(7, update.Count);
        Assert.All(update, u => Assert.Equal("granted", u.Value.GetString()));
    }

    [Fact]
    public async Task Wait_for_update_follows_the_option()
    {
        using var test = TagHelperTestContext.Create(o => o.ConsentMode.WaitForUpdate = 1200);
        using var none = TagHelperTestContext.Create(o => o.ConsentMode.WaitForUpdate = null);
        var http = test.CreateHttpContext();
        test.SetUndecided(http);
        var withoutWait = none.CreateHttpContext();
        none.SetUndecided(withoutWait);

        var configured = Command(Script(await RenderAsync(http)), "default")!;
        var omitted = Command(Script(await RenderAsync(withoutWait)), "default")!;

        Assert.Equal(1200, configured["wait_for_update"].GetInt32());
        Assert.False(omitted.ContainsKey("wait_for_update"));
    }

    [Fact]
    public async Task Ads_data_redaction_is_on_by_default_and_url_passthrough_off()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var script = Script(await RenderAsync(http));

        Assert.Contains("gtag('set','ads_data_redaction',true);", script, StringComparison.Ordinal);
        Assert.DoesNotContain("url_passthrough", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ads_data_redaction_and_url_passthrough_follow_the_options()
    {
        using var test = TagHelperTestContext.Create(o =>
        {
            o.ConsentMode.AdsDataRedaction = false;
            o.ConsentMode.UrlPassthrough = true;
        });
        var http = test.CreateHttpContext();
        test.SetUndecided(http);

        var script = Script(await RenderAsync(http));

        Assert.DoesNotContain("ads_data_redaction", script, StringComparison.Ordinal);
        Assert.Contains("gtag('set','url_passthrough',true);", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_custom_data_layer_name_is_used_throughout()
    {
        using var test = TagHelperTestContext.Create(o => o.ConsentMode.DataLayerName = "gtmLayer");
        var http = test.CreateHttpContext();
        test.SetUndecided(http);

        var script = Script(await RenderAsync(http));

        Assert.StartsWith("window[\"gtmLayer\"]=window[\"gtmLayer\"]||[];", script, StringComparison.Ordinal);
        Assert.Contains("window[\"gtmLayer\"].push(arguments)", script, StringComparison.Ordinal);
        Assert.DoesNotContain("dataLayer", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_script_carries_the_configured_nonce()
    {
        using var test = TagHelperTestContext.Create(o => o.ScriptNonce = _ => TagHelperTestContext.Nonce);
        var http = test.CreateHttpContext();
        test.SetUndecided(http);

        var rendered = await RenderAsync(http);

        Assert.Equal(TagHelperTestContext.Nonce, TagHelperTestContext.Attribute(rendered.Output, "nonce"));
    }

    [Fact]
    public async Task A_signal_mapped_to_a_service_follows_that_services_choice()
    {
        using var test = TagHelperTestContext.Create(o => o.ConsentMode.Signals["ad_storage"] = "marketing/youtube");
        var http = test.CreateHttpContext();
        test.SetDecided(http, "marketing/youtube");

        var script = Script(await RenderAsync(http));

        var update = Command(script, "update")!;
        Assert.Equal("granted", State(update, "ad_storage"));
        Assert.Equal("denied", State(update, "ad_user_data"));
        Assert.Contains("\"ad_storage\":\"marketing/youtube\"", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_change_listener_maps_every_signal_to_its_key()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var script = Script(await RenderAsync(http));

        var match = Regex.Match(script, "\\}\\)\\}\\)\\((\\{[^{}]*\\})\\);$");
        Assert.True(match.Success, script);
        using var mapping = JsonDocument.Parse(match.Groups[1].Value);
        Assert.Equal("marketing", mapping.RootElement.GetProperty("ad_storage").GetString());
        Assert.Equal("analytics", mapping.RootElement.GetProperty("analytics_storage").GetString());
        Assert.Equal("necessary", mapping.RootElement.GetProperty("security_storage").GetString());
        Assert.Contains("document.addEventListener('firstparty:change'", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_middleware_nothing_renders()
    {
        var http = _test.CreateHttpContext();

        var rendered = await RenderAsync(http);

        Assert.Equal(string.Empty, rendered.Html);
    }
}
