using System.Net;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Components.Tests.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FirstParty.AspNetCore.Components.Tests;

/// <summary>
/// A Blazor app on a test server with <c>AddFirstParty().AddComponents()</c>: the components render
/// the tag helpers' markup for each request in static SSR, outside any MVC request, and the banner's
/// plain form decides with its antiforgery token.
/// </summary>
public sealed class ServerRenderingTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private readonly Dictionary<string, string> _cookies = new(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseTestServer();
        builder.Configuration["FirstParty:Consent:Regime"] = "OptIn";
        builder.Services.AddRazorComponents();
        builder.Services.AddFirstParty().AddComponents();
        _app = builder.Build();
        _app.UseFirstParty();
        _app.UseAntiforgery();
        _app.MapFirstParty();
        _app.MapRazorComponents<HostApp>();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => c.Key + "=" + c.Value)));
        }

        request.Headers.Accept.ParseAdd("text/html");
        request.Headers.Add("Sec-Fetch-Mode", "navigate");
        request.Headers.Add("Sec-Fetch-Dest", "document");
        var response = await _client.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0].Split('=', 2);
            _cookies[pair[0]] = pair[1];
        }

        return response;
    }

    private async Task<string> PageAsync()
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "/components"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task Undecided_page_carries_the_banner_the_tag_helper_renders_with_a_working_token()
    {
        var html = await PageAsync();

        Assert.Contains("<script type=\"application/json\" id=\"fp-config\">", html, StringComparison.Ordinal);
        Assert.Matches("<section[^>]*data-fp-banner", html);
        Assert.Contains("action=\"/_fp/consent\"", html, StringComparison.Ordinal);
        Assert.Contains("<div data-fp-status role=\"status\" class=\"fp-visually-hidden\"></div>", html, StringComparison.Ordinal);
        Assert.Contains("/_content/FirstParty.AspNetCore/firstparty.js", html, StringComparison.Ordinal);
        Assert.Matches("<input[^>]*name=\"__RequestVerificationToken\"", html);
        Assert.Contains("data-fp-consent-mode", html, StringComparison.Ordinal);
        Assert.Contains("<p id=\"state\">decided=False visitor=none</p>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gated_script_and_gate_render_inert_before_consent()
    {
        var html = await PageAsync();

        // What <script src="/js/analytics.js" fp-consent="analytics" defer></script> renders undecided.
        Assert.Contains("<script defer data-fp-src=\"/js/analytics.js\" data-fp-consent=\"analytics\" type=\"text/plain\"></script>", html, StringComparison.Ordinal);
        Assert.Contains("<div data-fp-placeholder=\"analytics\" data-fp-block><template data-fp-embed><p id=\"chart\">chart</p></template><p id=\"fallback\">allow analytics</p></div>", html, StringComparison.Ordinal);
        Assert.Matches("<table class=\"fp-cookie-table\">.*data-cookie=\"_fp_consent\"", html);
    }

    [Fact]
    public async Task The_banners_plain_form_decides_and_the_next_page_has_no_banner_and_runs_the_script()
    {
        var html = await PageAsync();
        var token = WebUtility.HtmlDecode(Regex.Match(html, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"|value=\"([^\"]+)\"[^>]*name=\"__RequestVerificationToken\"").Groups.Values.Skip(1).First(g => g.Success).Value);

        using var post = await SendAsync(new HttpRequestMessage(HttpMethod.Post, "/_fp/consent")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("choice", "accept-all"), new("returnUrl", "/components")]),
        });
        Assert.Equal(HttpStatusCode.SeeOther, post.StatusCode);

        var after = await PageAsync();
        Assert.DoesNotMatch("<section[^>]*data-fp-banner", after);
        Assert.Contains("<script src=\"/js/analytics.js\" defer></script>", after, StringComparison.Ordinal);
        Assert.Contains("<p id=\"chart\">chart</p>", after, StringComparison.Ordinal);
        Assert.DoesNotContain("allow analytics", after, StringComparison.Ordinal);
        Assert.Matches("<p id=\"state\">decided=True visitor=[^n<][^<]*</p>", after);
    }
}
