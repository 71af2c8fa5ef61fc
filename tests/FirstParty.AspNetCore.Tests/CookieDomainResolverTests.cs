using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests;

public sealed class CookieDomainResolverTests
{
    private static CookieDomainResolver Create(string? domain = null)
        => new(new FirstPartyCookieOptions { Domain = domain }, PublicSuffixList.Embedded);

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("www.example.com", "example.com")]
    [InlineData("www.example.co.uk", "example.co.uk")]
    [InlineData("foo.github.io", "foo.github.io")]
    [InlineData("www.ck", "www.ck")]
    [InlineData("a.b.ck", "a.b.ck")]
    [InlineData("a.b.unknowntld", "b.unknowntld")]
    [InlineData("shop.xn--55qx5d.cn", "shop.xn--55qx5d.cn")]
    public void Compute_returns_the_registrable_domain(string host, string expected)
        => Assert.Equal(expected, Create().Compute(host));

    [Theory]
    [InlineData("github.io")]
    [InlineData("co.uk")]
    [InlineData("b.ck")]
    [InlineData("xn--55qx5d.cn")]
    [InlineData("localhost")]
    [InlineData("localhost.")]
    [InlineData("intranet")]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("[::1]")]
    [InlineData("::1")]
    [InlineData("[2001:db8::1]")]
    [InlineData("a..com")]
    [InlineData("www..example.com")]
    [InlineData(".example.com")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("")]
    public void Compute_returns_null_for_a_host_only_cookie(string host)
        => Assert.Null(Create().Compute(host));

    /// <summary>
    /// <c>www.example.com.</c> and <c>example.com</c> are distinct domains to browsers and to RFC 6265bis
    /// (httpwg/http-extensions#1758, #2087): <c>Domain=example.com</c> does not domain-match the host
    /// <c>www.example.com.</c>, so the browser ignores the whole cookie. A trailing-dot host must get a
    /// host-only cookie, or its visitors are minted anew on every navigation.
    /// </summary>
    [Theory]
    [InlineData("www.example.com.")]
    [InlineData("www.example.co.uk.")]
    [InlineData("foo.github.io.")]
    public void Trailing_dot_hosts_get_host_only_cookies(string host)
    {
        Assert.Null(Create().Compute(host));
        Assert.Null(Create().Resolve(new HostString(host)));
    }

    [Theory]
    [InlineData("www.example.co.uk:8443", "example.co.uk")]
    [InlineData("WWW.Example.CO.UK", "example.co.uk")]
    [InlineData("foo.github.io:443", "foo.github.io")]
    public void Resolve_ignores_the_port_and_case(string host, string expected)
        => Assert.Equal(expected, Create().Resolve(new HostString(host)));

    [Theory]
    [InlineData("localhost:5000")]
    [InlineData("127.0.0.1:8080")]
    [InlineData("[::1]:5001")]
    [InlineData("[::1]")]
    [InlineData("github.io")]
    public void Resolve_returns_null_for_ip_literals_single_labels_and_public_suffixes(string host)
        => Assert.Null(Create().Resolve(new HostString(host)));

    [Fact]
    public void Resolve_returns_null_for_an_empty_host()
    {
        var resolver = Create();
        Assert.Null(resolver.Resolve(default));
        Assert.Null(resolver.Resolve(new HostString(string.Empty)));
    }

    [Fact]
    public void Resolve_gives_the_same_answer_from_its_cache()
    {
        var resolver = Create();
        Assert.Equal("example.co.uk", resolver.Resolve(new HostString("www.example.co.uk")));
        Assert.Equal("example.co.uk", resolver.Resolve(new HostString("www.example.co.uk")));
        Assert.Null(resolver.Resolve(new HostString("co.uk")));
        Assert.Null(resolver.Resolve(new HostString("co.uk")));
    }

    [Fact]
    public void Resolve_stays_correct_when_the_bounded_cache_starts_over()
    {
        var resolver = Create();
        for (var i = 0; i < 3000; i++)
        {
            Assert.Equal($"site{i}.co.uk", resolver.Resolve(new HostString($"www.site{i}.co.uk")));
        }

        Assert.Equal("site0.co.uk", resolver.Resolve(new HostString("www.site0.co.uk")));
        Assert.Null(resolver.Resolve(new HostString("localhost")));
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("www.other.co.uk")]
    [InlineData("github.io")]
    public void A_configured_domain_overrides_the_computed_one(string host)
    {
        var resolver = Create(" .Example.COM ");
        Assert.Equal("example.com", resolver.Resolve(new HostString(host)));
    }

    [Fact]
    public void A_whitespace_domain_counts_as_not_configured()
        => Assert.Equal("example.co.uk", Create("  ").Resolve(new HostString("www.example.co.uk")));

    [Fact]
    public void The_options_constructor_uses_the_configured_public_suffix_list_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            // In this list example.com is itself a public suffix, unlike in the embedded one.
            File.WriteAllText(path, "com\nexample.com\n");
            var options = new FirstPartyOptions { Cookies = { PublicSuffixListPath = path } };
            var resolver = new CookieDomainResolver(Options.Create(options));

            Assert.Null(resolver.Resolve(new HostString("example.com")));
            Assert.Equal("www.example.com", resolver.Resolve(new HostString("www.example.com")));
            Assert.Equal("example.com", Create().Resolve(new HostString("www.example.com")));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_options_constructor_uses_the_embedded_list_by_default()
    {
        var resolver = new CookieDomainResolver(Options.Create(new FirstPartyOptions()));
        Assert.Equal("example.co.uk", resolver.Resolve(new HostString("www.example.co.uk")));
    }
    [Theory]
    [InlineData("www.example.com:8443")]
    [InlineData("www.example.com")]
    [InlineData("[::1]:5000")]
    [InlineData("[::1]")]
    [InlineData("localhost:5000")]
    [InlineData(":80")]
    [InlineData("")]
    public void The_host_part_is_what_HostString_gives(string value)
        => Assert.Equal(new HostString(value).Host, CookieDomainResolver.HostPart(value).ToString());

    [Fact]
    public void A_host_with_a_port_resolves_as_without_it_the_first_time_and_from_the_cache_after()
    {
        var resolver = Create();

        Assert.Equal("example.com", resolver.Resolve(new HostString("www.example.com:8443")));
        Assert.Equal("example.com", resolver.Resolve(new HostString("www.example.com:8443")));
        Assert.Equal("example.com", resolver.Resolve(new HostString("www.example.com")));
        Assert.Null(resolver.Resolve(new HostString("[::1]:5000")));
        Assert.Null(resolver.Resolve(new HostString("[::1]:5000")));
        Assert.Null(resolver.Resolve(new HostString("localhost:5000")));

        // Hosts HostString rewrites (a bare IPv6 address gains brackets) only miss the cache.
        foreach (var odd in new[] { "::1", "2001:db8::1", "[::1", "www.example.com:", "www.example.com:x" })
        {
            var expected = Create().Resolve(new HostString(odd));
            Assert.Equal(expected, resolver.Resolve(new HostString(odd)));
            Assert.Equal(expected, resolver.Resolve(new HostString(odd)));
        }
    }
}
