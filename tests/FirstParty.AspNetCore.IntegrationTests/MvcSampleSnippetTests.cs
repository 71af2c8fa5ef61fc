using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Mvc.Testing;
using MvcSample.Controllers;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// The HTML the MVC sample renders for its GA4, Matomo, Clarity and Plausible snippets (local
/// stand-in scripts): inert markup before consent; after it, script tags that load them and inline
/// code that calls their consent APIs. These read the markup only; no browser runs the scripts here.
/// </summary>
public sealed class MvcSampleSnippetTests(SampleFactory<HomeController> factory) : IClassFixture<SampleFactory<HomeController>>
{
    [Fact]
    public async Task Before_consent_every_snippet_is_rendered_inert()
    {
        var page = await SampleClient.Create(factory).NavigateAsync("/");

        foreach (var src in new[] { "/js/stubs/gtag.js?id=G-SAMPLE123", "/js/stubs/matomo.js", "/js/stubs/clarity.js?id=sample123", "/js/stubs/plausible.js" })
        {
            Assert.Contains($"data-fp-consent=\"analytics\" data-fp-src=\"{src}\"", page.Body, StringComparison.Ordinal);
            Assert.DoesNotContain($" src=\"{src}\"", page.Body, StringComparison.Ordinal);
        }

        Assert.Contains("type=\"text/plain\" data-fp-consent=\"analytics\">window.dataLayer", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_consent_the_html_loads_the_snippets_and_calls_their_consent_apis()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all", "/");

        var page = await browser.NavigateAsync("/");

        Assert.Contains("<script src=\"/js/stubs/gtag.js?id=G-SAMPLE123\" async></script>", page.Body, StringComparison.Ordinal);
        Assert.Contains("gtag('config',\"G-SAMPLE123\",{})", page.Body, StringComparison.Ordinal);
        Assert.Contains("_paq.push(['requireCookieConsent']);_paq.push(['setCookieConsentGiven']);", page.Body, StringComparison.Ordinal);
        Assert.Contains("_paq.push(['setSiteId',\"1\"])", page.Body, StringComparison.Ordinal);
        Assert.Contains("clarity('consentv2',{\"ad_Storage\":\"granted\",\"analytics_Storage\":\"granted\"});", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("clarity('consent')", page.Body, StringComparison.Ordinal);
        Assert.Contains("<script src=\"/js/stubs/plausible.js\" data-domain=\"localhost\" defer></script>", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("data-fp-src=\"/js/stubs/", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_consent_the_matomo_snippet_sets_the_visitor_id_derived_from_the_server_visitor()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("accept-all", "/");

        var page = await browser.NavigateAsync("/");

        // The visitor cookie's payload starts with the visitor id's 16 bytes.
        var visitorId = CompactCookieValues.Id(browser.Cookies["_fp_id"]);
        var expected = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("matomo:" + visitorId)))[..16];
        Assert.Contains($"_paq.push(['setVisitorId',\"{expected}\"]);", page.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_clarity_snippet_says_ads_storage_is_denied_when_only_analytics_is_granted()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("custom", "/", "analytics");

        var page = await browser.NavigateAsync("/");

        Assert.Contains("clarity('consentv2',{\"ad_Storage\":\"denied\",\"analytics_Storage\":\"granted\"});", page.Body, StringComparison.Ordinal);
    }
}
