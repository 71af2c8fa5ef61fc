using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary><c>fp-consent</c> on the sample's analytics script and video embed.</summary>
public sealed class ConsentTagHelperTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task Before_consent_the_script_is_inert_text_and_the_embed_a_placeholder()
    {
        var browser = SampleClient.Create(factory);

        var menu = await browser.NavigateAsync("/Menu");

        Assert.Matches("<script[^>]*type=\"text/plain\"[^>]*>", menu.Body);
        Assert.Contains("data-fp-src=\"/js/analytics.js\"", menu.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-consent=\"analytics\"", menu.Body, StringComparison.Ordinal);
        Assert.DoesNotMatch("<script[^>]* src=\"/js/analytics.js\"", menu.Body);
        Assert.DoesNotContain("fp-consent=\"", menu.Body.Replace("data-fp-consent=\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);

        var placeholder = Regex.Match(menu.Body, "<div data-fp-placeholder=\"marketing/youtube\"[^>]*>(.*?)</div>", RegexOptions.Singleline);
        Assert.True(placeholder.Success, "no placeholder for the video");
        Assert.Contains("<template data-fp-embed><iframe src=\"/embed/roasting?autoplay=0&amp;lang=en\" title=\"How we roast &amp; brew (video)\"", placeholder.Groups[1].Value, StringComparison.Ordinal);
        Assert.Contains("YouTube content is blocked until you allow it.", placeholder.Groups[1].Value, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(menu.Body, "<iframe"));
    }

    [Fact]
    public async Task After_accepting_the_script_and_the_embed_render_as_written()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all");

        var menu = await browser.NavigateAsync("/Menu");

        Assert.Matches("<script src=\"/js/analytics.js\" defer", menu.Body);
        Assert.DoesNotContain("data-fp-placeholder", menu.Body, StringComparison.Ordinal);
        Assert.Contains("<iframe src=\"/embed/roasting?autoplay=0&amp;lang=en\"", menu.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("text/plain", menu.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Always_allow_on_the_placeholder_grants_that_service_alone_and_keeps_earlier_choices()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("custom", "/", "preferences");
        var menu = await browser.NavigateAsync("/Menu");
        var form = Regex.Match(menu.Body, "<div data-fp-placeholder=\"marketing/youtube\".*?<form[^>]*>(.*?)</form>", RegexOptions.Singleline).Groups[1].Value;
        var fields = Regex.Matches(form, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")
            .Select(m => (m.Groups[1].Value, System.Net.WebUtility.HtmlDecode(m.Groups[2].Value)))
            .Where(f => f.Item1 != "__RequestVerificationToken")
            .Append(("choice", "custom"))
            .ToArray();

        var answer = await browser.PostFormAsync("/Menu", "/_fp/consent", fields);
        var after = await browser.NavigateAsync("/Menu");
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.Equal("/Menu", answer.Location);
        Assert.Contains("<iframe src=\"/embed/roasting?autoplay=0&amp;lang=en\"", after.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-src=\"/js/analytics.js\"", after.Body, StringComparison.Ordinal);
        Assert.Contains("\"preferences\":true", state.Body, StringComparison.Ordinal);
        Assert.Contains("\"marketing\":false", state.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_placeholder_speaks_the_request_language()
    {
        var browser = SampleClient.Create(factory);

        var menu = await browser.NavigateAsync("/Menu?culture=fr");

        Assert.Contains("Le contenu YouTube est bloqué tant que vous ne l&#x27;autorisez pas.", menu.Body, StringComparison.Ordinal);
        Assert.Contains("Toujours autoriser YouTube", menu.Body, StringComparison.Ordinal);
    }
}
