using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Endpoints;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Where a consent form post sends the browser back to: never off the site.</summary>
public sealed class ReturnUrlsTests
{
    [Theory]
    [InlineData("/")]
    [InlineData("/ok")]
    [InlineData("/ok?x=1")]
    [InlineData("/ok?x=1&y=%2F")]
    [InlineData("/a/b/c#frag")]
    [InlineData("/caf%C3%A9")]
    public void Local_paths_are_local(string url)
        => Assert.True(ReturnUrls.IsLocal(url));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("https://evil.example/")]
    [InlineData("http://localhost/")]
    [InlineData("//evil.example")]
    [InlineData("//evil.example/path")]
    [InlineData("/\\evil.example")]
    [InlineData("\\\\evil.example")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("/%2fevil.example")]
    [InlineData("/%5Cevil.example")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ok")]
    [InlineData("/ok\r\nSet-Cookie: x=1")]
    [InlineData("/ok%0D%0ASet-Cookie:%20x=1")]
    [InlineData("/ok\tx")]
    [InlineData("/a\\b")]
    [InlineData(" /ok")]
    public void Anything_else_is_not_local(string? url)
        => Assert.False(ReturnUrls.IsLocal(url));

    [Fact]
    public void A_very_long_path_is_not_local()
    {
        Assert.True(ReturnUrls.IsLocal("/" + new string('a', 2047)));
        Assert.False(ReturnUrls.IsLocal("/" + new string('a', 2048)));
    }

    private static HttpRequest Request(string? referer = null, string scheme = "https", string host = "shop.example")
    {
        var context = new DefaultHttpContext();
        context.Request.Scheme = scheme;
        context.Request.Host = new HostString(host);
        if (referer is not null)
        {
            context.Request.Headers.Referer = referer;
        }

        return context.Request;
    }

    [Fact]
    public void Choose_keeps_a_local_return_url_even_with_a_referer()
        => Assert.Equal("/ok?x=1", ReturnUrls.Choose("/ok?x=1", Request("https://shop.example/elsewhere")));

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("/%2F%2Fevil.example")]
    [InlineData("%2F%2Fevil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData(null)]
    public void Choose_falls_back_to_the_path_of_a_same_origin_referer(string? returnUrl)
        => Assert.Equal("/cart?step=2", ReturnUrls.Choose(returnUrl, Request("https://shop.example/cart?step=2")));

    [Theory]
    [InlineData("https://evil.example/cart")] // another host
    [InlineData("http://shop.example/cart")] // another scheme
    [InlineData("https://shop.example:8443/cart")] // another port
    [InlineData("https://sub.shop.example/cart")] // a subdomain is another origin
    [InlineData("https://shop.example//evil.example/x")] // same origin, protocol-relative path
    [InlineData("https://shop.example/%2F%2Fevil.example")]
    [InlineData("/cart")] // not absolute
    [InlineData("not a url")]
    [InlineData("")]
    public void Choose_ignores_other_referers_and_answers_the_root(string referer)
        => Assert.Equal("/", ReturnUrls.Choose("https://evil.example/", Request(referer)));

    [Fact]
    public void Choose_answers_the_root_without_a_return_url_or_referer()
        => Assert.Equal("/", ReturnUrls.Choose(null, Request()));

    [Fact]
    public void Choose_matches_a_referer_on_a_non_default_port()
        => Assert.Equal("/p", ReturnUrls.Choose(null, Request("http://localhost:5000/p", scheme: "http", host: "localhost:5000")));
    [Theory]
    [InlineData("", "//evil.example/", "?_fpl=x")]
    [InlineData("", "//evil.example", "?a=1&_fpl=x")]
    [InlineData("", "/\\evil.example/", "?_fpl=x")]
    [InlineData("", "//evil.example/", "")]
    public void CurrentWithout_answers_the_root_when_the_current_path_is_not_local(string pathBase, string path, string query)
    {
        var context = new DefaultHttpContext();
        context.Request.PathBase = pathBase;
        context.Request.Path = path;
        context.Request.QueryString = new QueryString(query.Length == 0 ? null : query);

        Assert.Equal("/", ReturnUrls.CurrentWithout(context.Request, "_fpl"));
    }

    [Fact]
    public void CurrentWithout_keeps_a_local_path_and_the_other_parameters()
    {
        var context = new DefaultHttpContext();
        context.Request.PathBase = "/app";
        context.Request.Path = "/a//b";
        context.Request.QueryString = new QueryString("?q=1&_FPL=x");

        Assert.Equal("/app/a//b?q=1", ReturnUrls.CurrentWithout(context.Request, "_fpl"));
    }

    [Theory]
    [InlineData("/ok?x=1", "/ok?x=1")]
    [InlineData("/caf\u00e9", "/caf%C3%A9")]
    [InlineData("//evil.example/", "/")]
    [InlineData("https://evil.example/", "/")]
    [InlineData(null, "/")]
    public void LocalOrRoot_is_the_one_rule(string? url, string expected)
        => Assert.Equal(expected, ReturnUrls.LocalOrRoot(url));
}
