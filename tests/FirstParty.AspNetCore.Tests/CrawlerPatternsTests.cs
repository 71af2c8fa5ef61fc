using FirstParty.AspNetCore.Visitors;

namespace FirstParty.AspNetCore.Tests;

public sealed class CrawlerPatternsTests
{
    [Theory]
    [InlineData("Googlebot\\/", "Googlebot/")]
    [InlineData("grub\\.org", "grub.org")]
    [InlineData("webmon ", "webmon ")]
    [InlineData("Yahoo! Slurp", "Yahoo! Slurp")]
    public void Text_with_escaped_punctuation_is_a_literal(string pattern, string expected)
    {
        Assert.True(CrawlerPatterns.TryReadLiteral(pattern, out var literal));
        Assert.Equal(expected, literal);
    }

    [Theory]
    [InlineData("^curl")]
    [InlineData("[wW]get")]
    [InlineData("Bot\\d")]
    [InlineData("a\\_b")]
    [InlineData("SSL Labs$")]
    [InlineData("Ahrefs(Bot|SiteAudit)")]
    [InlineData("a.b")]
    [InlineData("ab+")]
    [InlineData("trailing\\")]
    public void Anything_with_an_operator_is_not_a_literal(string pattern)
        => Assert.False(CrawlerPatterns.TryReadLiteral(pattern, out _));

    [Theory]
    [InlineData("[wW]get", "get")]
    [InlineData("^curl", "curl")]
    [InlineData("AdsBot-Google([^-]|$)", "AdsBot-Google")]
    [InlineData("BlogTraffic\\/\\d\\.\\d+ Feed-Fetcher", " Feed-Fetcher")]
    [InlineData("ContextualBot[\\s\\S]*outcomes\\.net", "ContextualBot")]
    [InlineData("ab+cd", "cd")]
    [InlineData("abc?d", "ab")]
    [InlineData("x{2,3}yz", "yz")]
    [InlineData("[]x]abc", "abc")]
    [InlineData("(^| )sentry\\/", "sentry/")]
    public void The_required_text_is_the_longest_run_every_match_contains(string pattern, string expected)
        => Assert.Equal(expected, CrawlerPatterns.RequiredLiteral(pattern));

    [Theory]
    [InlineData("(?i)probe")]
    [InlineData("a|b")]
    [InlineData("[0-9]+")]
    [InlineData("(abc)")]
    public void A_pattern_without_certain_text_has_no_required_text(string pattern)
        => Assert.Null(CrawlerPatterns.RequiredLiteral(pattern));

    [Theory]
    [InlineData("Netumo|netumo", new[] { "Netumo", "netumo" })]
    [InlineData("[|]x|y", new[] { "[|]x", "y" })]
    [InlineData("(a|b)c", new[] { "(a|b)c" })]
    [InlineData("a\\|b", new[] { "a\\|b" })]
    [InlineData("(?i)a|b", new[] { "(?i)a|b" })]
    [InlineData("a||b", new[] { "a||b" })]
    public void Top_level_alternatives_are_split(string pattern, string[] expected)
        => Assert.Equal(expected, CrawlerPatterns.Alternatives(pattern));
}
