using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The banner, preferences, privacy centre and block tag helpers as the Razor Pages sample uses them.</summary>
public sealed partial class ConsentBannerSampleTests(SampleFactory<IndexModel> factory) : IClassFixture<SampleFactory<IndexModel>>
{
    [Fact]
    public async Task The_first_visit_gets_the_banner_with_equal_buttons_and_every_category()
    {
        var browser = SampleClient.Create(factory);

        var home = await browser.NavigateAsync("/");

        var banner = BannerMarkup(home.Body);
        Assert.Contains("<h2 id=\"fp-banner-title\" class=\"fp-title\">Cookies on Harbour Coffee</h2>", banner, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/Cookies\" class=\"fp-link\">", banner, StringComparison.Ordinal);
        Assert.Equal(["accept-all", "reject-all", "custom"], ChoiceButtons(banner));
        Assert.Equal(["necessary", "preferences", "analytics", "marketing"], Regex.Matches(banner, "name=\"category\" value=\"([^\"]+)\"").Select(m => m.Groups[1].Value));
        Assert.Matches("value=\"necessary\" checked=\"checked\" disabled=\"disabled\"", banner);
        Assert.DoesNotMatch("value=\"analytics\"[^>]*checked", banner);
        Assert.Contains("<code>_fp_id</code>", banner, StringComparison.Ordinal);
        Assert.Contains("name=\"service\" value=\"marketing/youtube\"", banner, StringComparison.Ordinal);
        Assert.Contains("name=\"services-of\" value=\"marketing\"", banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_decision_the_page_has_no_banner_and_the_footer_link_leads_to_the_preferences()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("reject-all", "/Menu");

        var menu = await browser.NavigateAsync("/Menu?tab=drinks");
        var reopened = await browser.NavigateAsync("/Menu?tab=drinks&fp-preferences=1");

        Assert.DoesNotContain("data-fp-banner", menu.Body, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/Menu?tab=drinks&amp;fp-preferences=1\" data-fp-open-preferences class=\"fp-open-preferences\">Cookie settings</a>", menu.Body, StringComparison.Ordinal);
        var banner = BannerMarkup(reopened.Body);
        Assert.Contains("<details data-fp-preferences class=\"fp-preferences\" open=\"open\">", banner, StringComparison.Ordinal);
        Assert.Contains("name=\"returnUrl\" value=\"/Menu?tab=drinks\"", banner, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crawlers_never_get_a_banner()
    {
        var browser = SampleClient.Create(factory);

        var page = await browser.NavigateAsync("/", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

        Assert.DoesNotContain("data-fp-banner", page.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("fp-config", page.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("es", "Aceptar todo")]
    [InlineData("it", "Accetta tutto")]
    [InlineData("nl", "Alles accepteren")]
    [InlineData("pl", "Zaakceptuj wszystkie")]
    [InlineData("pt", "Aceitar tudo")]
    [InlineData("de", "Alle akzeptieren")]
    [InlineData("fr", "Tout accepter")]
    public async Task The_banner_speaks_the_request_language(string culture, string acceptAll)
    {
        var browser = SampleClient.Create(factory);

        var home = await browser.NavigateAsync($"/?culture={culture}");

        Assert.Contains($"value=\"accept-all\" class=\"fp-button\">{acceptAll}</button>", BannerMarkup(home.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configured_texts_win_per_culture()
    {
        var browser = SampleClient.Create(factory);

        var french = await browser.NavigateAsync("/?culture=fr");
        var spanish = await browser.NavigateAsync("/?culture=es");

        Assert.Contains(">Les cookies de Harbour Coffee</h2>", french.Body, StringComparison.Ordinal);
        Assert.Contains(">Cookies on Harbour Coffee</h2>", spanish.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ticking_a_category_but_none_of_its_offered_services_refuses_it()
    {
        var browser = SampleClient.Create(factory);
        var home = await browser.NavigateAsync("/");
        var token = Token(home.Body);

        var answer = await browser.PostFormAsync("/", "/_fp/consent",
            ("choice", "custom"), ("category", "marketing"), ("category", "analytics"), ("services-of", "marketing"), ("services-of", "preferences"), ("returnUrl", "/"));
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.NotEmpty(token);
        Assert.Equal(303, answer.Status);
        Assert.Contains("\"marketing\":false", state.Body, StringComparison.Ordinal);
        Assert.Contains("\"marketing/youtube\":false", state.Body, StringComparison.Ordinal);
        Assert.Contains("\"analytics\":true", state.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ticking_one_service_grants_that_service_alone()
    {
        var browser = SampleClient.Create(factory);

        await browser.PostFormAsync("/", "/_fp/consent",
            ("choice", "custom"), ("category", "marketing"), ("service", "marketing/vimeo"), ("services-of", "marketing"), ("returnUrl", "/"));
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.Contains("\"marketing/vimeo\":true", state.Body, StringComparison.Ordinal);
        Assert.Contains("\"marketing/youtube\":false", state.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Allow_once_without_javascript_shows_the_embed_on_the_next_page_view_only()
    {
        var browser = SampleClient.Create(factory);
        await browser.NavigateAsync("/Menu");

        var answer = await browser.PostFormAsync("/Menu", "/_fp/consent", ("choice", "once"), ("allow", "marketing/youtube"), ("returnUrl", "/Menu"));
        var once = await browser.NavigateAsync(answer.Location!);
        var later = await browser.NavigateAsync("/Menu");
        var state = await browser.FetchAsync("/_fp/consent");

        Assert.Equal(303, answer.Status);
        Assert.StartsWith("/Menu?fp-allow=", answer.Location, StringComparison.Ordinal);
        Assert.Contains("<iframe src=\"/embed/roasting?autoplay=0&amp;lang=en\"", once.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("data-fp-placeholder=\"marketing/youtube\"", once.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-placeholder=\"marketing/youtube\"", later.Body, StringComparison.Ordinal);
        Assert.Contains("\"decided\":false", state.Body, StringComparison.Ordinal);
        Assert.Null(answer.Cookie("_fp_consent"));
    }

    [Theory]
    [InlineData("/Menu?fp-allow=forged")]
    [InlineData("/Menu?fp-allow=")]
    public async Task A_forged_allow_once_token_shows_the_placeholder(string path)
    {
        var browser = SampleClient.Create(factory);

        var menu = await browser.NavigateAsync(path);

        Assert.Equal(200, menu.Status);
        Assert.Contains("data-fp-placeholder=\"marketing/youtube\"", menu.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("analytics")]
    [InlineData("marketing/dailymotion")]
    [InlineData("")]
    public async Task Allow_once_needs_one_known_key(string key)
    {
        var browser = SampleClient.Create(factory);
        await browser.NavigateAsync("/Menu");

        var good = key == "analytics";
        var answer = await browser.PostFormAsync("/Menu", "/_fp/consent", ("choice", "once"), ("allow", key), ("returnUrl", "/Menu"));

        Assert.Equal(good ? 303 : 400, answer.Status);
    }

    [Fact]
    public async Task The_block_shows_its_fallback_until_the_category_is_allowed()
    {
        var browser = SampleClient.Create(factory);

        var before = await browser.NavigateAsync("/");
        await browser.ChooseAsync("custom", "/", "preferences");
        var after = await browser.NavigateAsync("/");

        Assert.Matches("<div data-fp-placeholder=\"preferences\" data-fp-block><template data-fp-embed>\\s*<p data-recommendation>", before.Body);
        Assert.Contains("<p data-recommendation-fallback>", before.Body, StringComparison.Ordinal);
        Assert.Contains("<p data-recommendation>", after.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("data-recommendation-fallback", after.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("data-fp-block", after.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_privacy_centre_shows_choices_ids_and_the_forms()
    {
        var browser = SampleClient.Create(factory);
        await browser.ChooseAsync("custom", "/", "analytics");

        var privacy = await browser.NavigateAsync("/Privacy");

        Assert.Contains("data-fp-choice=\"analytics\" data-granted=\"true\"", privacy.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-choice=\"marketing\" data-granted=\"false\"", privacy.Body, StringComparison.Ordinal);
        Assert.Matches("<code data-visitor-id>[0-9a-f-]{36}</code>", privacy.Body);
        Assert.Matches("<code data-consent-id>[0-9a-f-]{36}</code>", privacy.Body);
        Assert.Contains("value=\"withdraw\"", privacy.Body, StringComparison.Ordinal);
        Assert.Contains("action=\"/_fp/forget\"", privacy.Body, StringComparison.Ordinal);
        Assert.Matches("name=\"category\" value=\"analytics\"[^>]*checked=\"checked\"", privacy.Body);
    }

    [Fact]
    public async Task Consent_mode_defaults_are_denied_under_opt_in_and_updated_after_a_choice()
    {
        var browser = SampleClient.Create(factory);

        var before = await browser.NavigateAsync("/");
        await browser.ChooseAsync("custom", "/", "analytics");
        var after = await browser.NavigateAsync("/");

        var defaults = Regex.Match(before.Body, "gtag\\('consent','default',(\\{[^}]*\\})\\)").Groups[1].Value;
        Assert.Contains("\"analytics_storage\":\"denied\"", defaults, StringComparison.Ordinal);
        Assert.Contains("\"security_storage\":\"granted\"", defaults, StringComparison.Ordinal);
        Assert.Contains("\"wait_for_update\":500", defaults, StringComparison.Ordinal);
        Assert.DoesNotContain("gtag('consent','update',{", before.Body, StringComparison.Ordinal);
        var update = Regex.Match(after.Body, "gtag\\('consent','update',(\\{[^}]*\\})\\)").Groups[1].Value;
        Assert.Contains("\"analytics_storage\":\"granted\"", update, StringComparison.Ordinal);
        Assert.Contains("\"ad_storage\":\"denied\"", update, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_inline_script_carries_the_nonce_of_the_content_security_policy()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/Menu");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();

        var nonce = Regex.Match(csp, "'nonce-([^']+)'").Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        var scripts = Regex.Matches(body, "<script(?![^>]*type=\"application/json\")[^>]*>").Select(m => m.Value).ToList();
        Assert.True(scripts.Count >= 4, string.Join('\n', scripts));
        Assert.All(scripts, s => Assert.Contains($"nonce=\"{System.Net.WebUtility.HtmlEncode(nonce).Replace("+", "&#x2B;", StringComparison.Ordinal)}\"", s, StringComparison.Ordinal));
        Assert.DoesNotMatch("\\sstyle=\"", body);
    }

    [Fact]
    public async Task Output_caching_keeps_one_copy_per_consent_state_and_never_one_with_a_form_token()
    {
        var analytics = SampleClient.Create(factory);
        await analytics.ChooseAsync("custom", "/", "analytics");
        var everything = SampleClient.Create(factory);
        await everything.ChooseAsync("accept-all");
        var undecided = SampleClient.Create(factory);

        var first = await analytics.NavigateAsync("/Cookies");
        var second = await analytics.NavigateAsync("/Cookies");
        var other = await everything.NavigateAsync("/Cookies");
        var stranger1 = await undecided.NavigateAsync("/Cookies");
        var stranger2 = await undecided.NavigateAsync("/Cookies");

        Assert.Equal(Rendered(first), Rendered(second));
        Assert.NotEqual(Rendered(first), Rendered(other));
        Assert.Contains("\"analytics\":true,\"marketing\":false", second.Body, StringComparison.Ordinal);
        Assert.Contains("\"marketing\":true", other.Body, StringComparison.Ordinal);
        Assert.Contains("data-fp-banner", stranger2.Body, StringComparison.Ordinal);
        Assert.NotEqual(Rendered(stranger1), Rendered(stranger2));
    }

    [Fact]
    public async Task The_script_and_stylesheet_are_served_as_static_web_assets()
    {
        var browser = SampleClient.Create(factory);
        var home = await browser.NavigateAsync("/");

        var script = Regex.Match(home.Body, "<script src=\"(/_content/FirstParty.AspNetCore/firstparty.js[^\"]*)\"").Groups[1].Value;
        var style = Regex.Match(home.Body, "<link rel=\"stylesheet\" href=\"(/_content/FirstParty.AspNetCore/firstparty.css[^\"]*)\"").Groups[1].Value;
        var js = await browser.FetchAsync(System.Net.WebUtility.HtmlDecode(script));
        var css = await browser.FetchAsync(System.Net.WebUtility.HtmlDecode(style));

        Assert.Equal(200, js.Status);
        Assert.Contains("firstParty", js.Body, StringComparison.Ordinal);
        Assert.Equal(200, css.Status);
        Assert.Contains(".fp-banner", css.Body, StringComparison.Ordinal);
    }

    private static string Rendered(SampleClient.Visit visit) => Regex.Match(visit.Body, "<time data-rendered>([^<]+)</time>").Groups[1].Value;

    private static string Token(string body) => Regex.Match(body, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;

    private static string BannerMarkup(string body)
    {
        var match = Regex.Match(body, "<section data-fp-banner.*?</section>", RegexOptions.Singleline);
        Assert.True(match.Success, "no banner in the page");
        return match.Value;
    }

    private static string[] ChoiceButtons(string banner)
        => [.. Regex.Matches(banner, "<button type=\"submit\" name=\"choice\" value=\"([^\"]+)\" class=\"fp-button[^\"]*\">").Select(m => m.Groups[1].Value)];
}
