using System.Globalization;
using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Razor.TagHelpers;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary>
/// <c>&lt;consent-block&gt;</c> with a nested <c>&lt;consent-fallback&gt;</c>: the block's child
/// content runs the fallback tag helper with the block's context items, as the Razor runtime does.
/// </summary>
public sealed class ConsentBlockTagHelperTests : IDisposable
{
    private const string Before = "<div class=\"map\">Map of the shop</div>";
    private const string After = "<p>Open daily</p>";
    private const string Fallback = "<p>Allow maps to see where we are.</p>";

    private readonly TagHelperTestContext _test = TagHelperTestContext.Create();

    public void Dispose() => _test.Dispose();

    /// <summary>Renders <c>&lt;consent-block consent="..."&gt;Before&lt;consent-fallback&gt;Fallback&lt;/consent-fallback&gt;After&lt;/consent-block&gt;</c>.</summary>
    private static Task<Rendered> RenderAsync(HttpContext http, string consent, string? fallback = Fallback)
    {
        var block = new ConsentBlockTagHelper { Consent = consent, ViewContext = TagHelperTestContext.ViewContextFor(http) };
        return TagHelperTestContext.RunAsync(
            block,
            "consent-block",
            // A bound attribute: Razor passes it to the property, not to the output's attributes.
            [],
            async context => fallback is null ? Before + After : Before + await RenderFallbackAsync(context, fallback) + After);
    }

    /// <summary>Runs the fallback tag helper as a child: same <see cref="TagHelperContext.Items"/> as the block.</summary>
    private static async Task<string> RenderFallbackAsync(TagHelperContext parent, string content)
    {
        var context = new TagHelperContext("consent-fallback", [], new Dictionary<object, object>(parent.Items), Guid.NewGuid().ToString("N"));
        var output = new TagHelperOutput("consent-fallback", [], (_, _) =>
        {
            var child = new DefaultTagHelperContent();
            child.SetHtmlContent(content);
            return Task.FromResult<TagHelperContent>(child);
        });
        var helper = new ConsentFallbackTagHelper();
        helper.Init(context);
        await helper.ProcessAsync(context, output);
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        output.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }

    [Fact]
    public async Task Granted_renders_the_content_without_wrapper_or_fallback()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "preferences");

        var rendered = await RenderAsync(http, "preferences");

        Assert.Null(rendered.Output.TagName);
        Assert.Equal(Before + After, rendered.Html);
    }

    [Fact]
    public async Task Refused_keeps_the_content_inert_and_shows_the_fallback()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "preferences");

        Assert.Equal("div", rendered.Output.TagName);
        Assert.Equal(TagMode.StartTagAndEndTag, rendered.Output.TagMode);
        Assert.Equal("preferences", TagHelperTestContext.Attribute(rendered.Output, "data-fp-placeholder"));
        Assert.True(rendered.Output.Attributes.ContainsName("data-fp-block"));
        Assert.Equal(
            $"<template data-fp-embed>{Before}{After}</template>{Fallback}",
            rendered.Output.Content.GetContent());
        Assert.Equal(
            $"<div data-fp-placeholder=\"preferences\" data-fp-block><template data-fp-embed>{Before}{After}</template>{Fallback}</div>",
            rendered.Html);
    }

    [Fact]
    public async Task Refused_without_a_fallback_keeps_only_the_template()
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http);

        var rendered = await RenderAsync(http, "analytics", fallback: null);

        Assert.Equal($"<template data-fp-embed>{Before}{After}</template>", rendered.Output.Content.GetContent());
    }

    [Fact]
    public async Task A_service_key_is_gated_by_the_services_own_choice()
    {
        var granted = _test.CreateHttpContext();
        _test.SetDecided(granted, "marketing/youtube");
        var refused = _test.CreateHttpContext();
        _test.SetDecided(refused, "marketing/vimeo");

        var shown = await RenderAsync(granted, "marketing/youtube");
        var blocked = await RenderAsync(refused, "marketing/youtube");

        Assert.Equal(Before + After, shown.Html);
        Assert.Equal("marketing/youtube", TagHelperTestContext.Attribute(blocked.Output, "data-fp-placeholder"));
    }

    [Fact]
    public async Task Inverted_renders_the_content_while_refused()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "analytics");

        var rendered = await RenderAsync(http, "!marketing");

        Assert.Null(rendered.Output.TagName);
        Assert.Equal(Before + After, rendered.Html);
    }

    [Fact]
    public async Task Inverted_renders_nothing_once_granted()
    {
        var http = _test.CreateHttpContext();
        _test.SetDecided(http, "marketing");

        var rendered = await RenderAsync(http, "!marketing");

        Assert.Equal(string.Empty, rendered.Html);
    }

    [Theory]
    [InlineData(ConsentRegime.OptIn, false)]
    [InlineData(ConsentRegime.OptOut, true)]
    [InlineData(ConsentRegime.Implied, true)]
    public async Task Undecided_follows_the_regime(ConsentRegime regime, bool granted)
    {
        var http = _test.CreateHttpContext();
        _test.SetUndecided(http, regime);

        var rendered = await RenderAsync(http, "analytics");

        Assert.Equal(granted ? null : "div", rendered.Output.TagName);
    }

    [Fact]
    public async Task Without_the_middleware_the_content_stays_inert()
    {
        var http = _test.CreateHttpContext();

        var rendered = await RenderAsync(http, "necessary");

        Assert.Equal("div", rendered.Output.TagName);
        Assert.EndsWith(Fallback, rendered.Output.Content.GetContent(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fallback_renders_nothing_in_place()
    {
        var context = new TagHelperContext("consent-block", [], new Dictionary<object, object>(), "block");

        var html = await RenderFallbackAsync(context, Fallback);

        Assert.Equal(string.Empty, html);
    }
}
