using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// <c>Cookies:PublicSuffixListPath</c> against the list Debian's <c>publicsuffix</c> package
/// installs (scripts/test.sh installs it), the file a site would point at to update the list.
/// </summary>
public sealed class SystemPublicSuffixListTests
{
    private const string DebianList = "/usr/share/publicsuffix/public_suffix_list.dat";

    [Theory]
    [InlineData("www.example.co.uk", "example.co.uk")]
    [InlineData("foo.github.io", "foo.github.io")]
    [InlineData("github.io", null)]
    [InlineData("shop.example.com.au", "example.com.au")]
    [InlineData("a.b.c.kawasaki.jp", "b.c.kawasaki.jp")]
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
    public void A_configured_list_file_gives_the_registrable_domain(string host, string? expected)
    {
        var resolver = new CookieDomainResolver(new FirstPartyCookieOptions { PublicSuffixListPath = DebianList }, PublicSuffixList.Load(DebianList));

        Assert.Equal(expected, resolver.Compute(host));
    }

    [Fact]
    public void The_configured_file_is_loaded_in_full_and_matches_the_embedded_copy()
    {
        var system = PublicSuffixList.Load(DebianList);

        Assert.True(system.RuleCount > 9000, $"only {system.RuleCount} rules were read");
        Assert.Equal(PublicSuffixList.Embedded.RuleCount, system.RuleCount);
    }
}
