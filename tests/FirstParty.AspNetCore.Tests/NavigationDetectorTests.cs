using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Tests;

public sealed class NavigationDetectorTests
{
    private static HttpRequest Request(string method, string? accept = null, string? secFetchDest = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = method;
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        if (secFetchDest is not null)
        {
            context.Request.Headers["Sec-Fetch-Dest"] = secFetchDest;
        }

        return context.Request;
    }

    [Theory]
    [InlineData("GET", "text/html")]
    [InlineData("GET", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")]
    [InlineData("GET", "TEXT/HTML")]
    [InlineData("HEAD", "text/html")]
    [InlineData("get", "text/html")]
    public void A_get_or_head_accepting_html_is_a_navigation(string method, string accept)
        => Assert.True(NavigationDetector.IsTopLevelNavigation(Request(method, accept)));

    [Theory]
    [InlineData("GET", null)]
    [InlineData("GET", "*/*")]
    [InlineData("GET", "application/json")]
    [InlineData("GET", "image/avif,image/webp,*/*")]
    [InlineData("POST", "text/html")]
    [InlineData("PUT", "text/html")]
    [InlineData("DELETE", "text/html")]
    public void Other_requests_without_fetch_metadata_are_not_navigations(string method, string? accept)
        => Assert.False(NavigationDetector.IsTopLevelNavigation(Request(method, accept)));

    [Theory]
    [InlineData("GET", "document")]
    [InlineData("GET", "Document")]
    [InlineData("POST", "document")] // a form submission is a navigation
    public void Sec_Fetch_Dest_document_is_a_navigation(string method, string dest)
        => Assert.True(NavigationDetector.IsTopLevelNavigation(Request(method, accept: null, dest)));

    [Theory]
    [InlineData("iframe")]
    [InlineData("frame")]
    [InlineData("image")]
    [InlineData("script")]
    [InlineData("empty")]
    [InlineData("")]
    public void Other_Sec_Fetch_Dest_values_win_over_an_html_accept_header(string dest)
        => Assert.False(NavigationDetector.IsTopLevelNavigation(Request("GET", "text/html", dest)));

    [Fact]
    public void Any_accept_header_value_may_carry_html()
    {
        var request = Request("GET");
        request.Headers.Accept = new StringValues(["application/json", "text/html"]);
        Assert.True(NavigationDetector.IsTopLevelNavigation(request));
    }

    private static HttpRequest Enhanced(string method, string? secFetchSite = "same-origin", string accept = "text/html; blazor-enhanced-nav=on")
    {
        var request = Request(method, accept, secFetchDest: "empty");
        request.Headers["Sec-Fetch-Mode"] = "no-cors";
        if (secFetchSite is not null)
        {
            request.Headers["Sec-Fetch-Site"] = secFetchSite;
        }

        return request;
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")] // an enhanced form post
    public void A_blazor_enhanced_navigation_is_a_navigation(string method)
        => Assert.True(NavigationDetector.IsTopLevelNavigation(Enhanced(method)));

    [Fact]
    public void A_blazor_enhanced_navigation_without_fetch_metadata_is_a_navigation()
        => Assert.True(NavigationDetector.IsTopLevelNavigation(Request("GET", "text/html; blazor-enhanced-nav=on")));

    [Theory]
    [InlineData("cross-site")]
    [InlineData("same-site")]
    [InlineData("none")]
    public void An_enhanced_navigation_header_sent_from_elsewhere_is_not_a_navigation(string site)
        => Assert.False(NavigationDetector.IsTopLevelNavigation(Enhanced("GET", site)));

    [Theory]
    [InlineData("text/html;blazor-enhanced-nav=on")]
    [InlineData("text/html; blazor-enhanced-nav=off")]
    [InlineData("TEXT/HTML; BLAZOR-ENHANCED-NAV=ON")]
    [InlineData("text/html")]
    public void Only_the_exact_enhanced_navigation_accept_value_counts(string accept)
        => Assert.False(NavigationDetector.IsTopLevelNavigation(Enhanced("GET", accept: accept)));

    [Fact]
    public void An_enhanced_navigation_accept_beside_another_value_does_not_count()
    {
        var request = Enhanced("GET");
        request.Headers.Accept = new StringValues(["text/html; blazor-enhanced-nav=on", "application/json"]);
        Assert.False(NavigationDetector.IsTopLevelNavigation(request));
    }
}
