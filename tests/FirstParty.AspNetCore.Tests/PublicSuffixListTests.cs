using System.Globalization;
using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Tests;

public sealed class PublicSuffixListTests
{
    private static PublicSuffixList List => PublicSuffixList.Embedded;

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("www.example.com", "example.com")]
    [InlineData("a.b.c.example.com", "example.com")]
    [InlineData("www.example.co.uk", "example.co.uk")]
    [InlineData("example.co.uk", "example.co.uk")]
    public void Icann_rules_give_the_suffix_plus_one_label(string host, string expected)
        => Assert.Equal(expected, List.GetRegistrableDomain(host));

    [Theory]
    [InlineData("foo.github.io", "foo.github.io")]
    [InlineData("www.foo.github.io", "foo.github.io")]
    public void Private_section_rules_are_honoured(string host, string expected)
        => Assert.Equal(expected, List.GetRegistrableDomain(host));

    [Theory]
    [InlineData("github.io")]
    [InlineData("co.uk")]
    [InlineData("uk")]
    [InlineData("com")]
    public void A_host_that_is_itself_a_public_suffix_has_no_registrable_domain(string host)
        => Assert.Null(List.GetRegistrableDomain(host));

    // public_suffix_list.dat: "*.ck" and "!www.ck".
    [Theory]
    [InlineData("www.ck", "www.ck")] // the exception rule makes www.ck registrable
    [InlineData("a.www.ck", "www.ck")]
    [InlineData("a.b.ck", "a.b.ck")] // *.ck makes b.ck a public suffix
    [InlineData("x.a.b.ck", "a.b.ck")]
    public void Wildcard_and_exception_rules_of_ck(string host, string expected)
        => Assert.Equal(expected, List.GetRegistrableDomain(host));

    [Theory]
    [InlineData("b.ck")]
    [InlineData("ck")]
    public void A_label_under_a_wildcard_rule_is_a_public_suffix(string host)
        => Assert.Null(List.GetRegistrableDomain(host));

    // public_suffix_list.dat: "*.kawasaki.jp" and "!city.kawasaki.jp".
    [Theory]
    [InlineData("city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("www.city.kawasaki.jp", "city.kawasaki.jp")]
    [InlineData("b.a.kawasaki.jp", "b.a.kawasaki.jp")]
    public void Wildcard_and_exception_rules_of_kawasaki_jp(string host, string expected)
        => Assert.Equal(expected, List.GetRegistrableDomain(host));

    [Fact]
    public void A_label_under_kawasaki_jp_is_a_public_suffix()
        => Assert.Null(List.GetRegistrableDomain("a.kawasaki.jp"));

    // public_suffix_list.dat holds "公司.cn" and "aéroport.ci" in Unicode; hosts arrive in punycode.
    [Theory]
    [InlineData("公司.cn")]
    [InlineData("aéroport.ci")]
    public void Unicode_rules_match_punycode_hosts(string unicodeRule)
    {
        var suffix = new IdnMapping().GetAscii(unicodeRule);
        Assert.StartsWith("xn--", suffix, StringComparison.Ordinal);

        Assert.Null(List.GetRegistrableDomain(suffix));
        Assert.Equal($"shop.{suffix}", List.GetRegistrableDomain($"shop.{suffix}"));
        Assert.Equal($"shop.{suffix}", List.GetRegistrableDomain($"www.shop.{suffix}"));
    }

    [Theory]
    [InlineData("a.b.unknowntld", "b.unknowntld")]
    [InlineData("b.unknowntld", "b.unknowntld")]
    public void An_unknown_tld_falls_back_to_the_implicit_star_rule(string host, string expected)
        => Assert.Equal(expected, List.GetRegistrableDomain(host));

    [Fact]
    public void An_unknown_tld_alone_is_a_public_suffix()
        => Assert.Null(List.GetRegistrableDomain("unknowntld"));

    [Fact]
    public void The_embedded_list_contains_both_sections()
    {
        Assert.True(List.RuleCount > 9000, $"only {List.RuleCount} rules were loaded");
        Assert.Same(PublicSuffixList.Embedded, PublicSuffixList.Embedded);
    }

    [Fact]
    public void Parse_reads_rules_comments_wildcards_exceptions_and_unicode_from_a_text_reader()
    {
        const string Text = """
            // a comment line
            test
               example.test   trailing text after whitespace is ignored

            *.wild.test
            !keep.wild.test
            bücher.test
            // ===BEGIN PRIVATE DOMAINS===
            Hosted.Test
            """;
        var list = PublicSuffixList.Parse(new StringReader(Text));

        Assert.Equal(6, list.RuleCount);
        Assert.Null(list.GetRegistrableDomain("test"));
        Assert.Null(list.GetRegistrableDomain("example.test"));
        Assert.Equal("shop.example.test", list.GetRegistrableDomain("www.shop.example.test"));
        Assert.Equal("other.test", list.GetRegistrableDomain("www.other.test"));
        Assert.Null(list.GetRegistrableDomain("a.wild.test"));
        Assert.Equal("b.a.wild.test", list.GetRegistrableDomain("c.b.a.wild.test"));
        Assert.Equal("keep.wild.test", list.GetRegistrableDomain("www.keep.wild.test"));
        Assert.Null(list.GetRegistrableDomain("xn--bcher-kva.test"));
        Assert.Equal("shop.xn--bcher-kva.test", list.GetRegistrableDomain("shop.xn--bcher-kva.test"));

        // Rules are lowercased; hosts arrive lowercase.
        Assert.Null(list.GetRegistrableDomain("hosted.test"));
        Assert.Equal("me.hosted.test", list.GetRegistrableDomain("www.me.hosted.test"));
    }

    [Fact]
    public void An_empty_list_still_applies_the_implicit_star_rule()
    {
        var list = PublicSuffixList.Parse(new StringReader("// nothing but a comment\n\n"));

        Assert.Equal(0, list.RuleCount);
        Assert.Equal("example.com", list.GetRegistrableDomain("www.example.com"));
        Assert.Equal("co.uk", list.GetRegistrableDomain("example.co.uk"));
        Assert.Null(list.GetRegistrableDomain("com"));
    }

    [Fact]
    public void Load_reads_a_file()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "com\nexample.com\n");
            var list = PublicSuffixList.Load(path);

            Assert.Equal(2, list.RuleCount);
            Assert.Equal("www.example.com", list.GetRegistrableDomain("www.example.com"));
            Assert.Null(list.GetRegistrableDomain("example.com"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
