using FirstParty.AspNetCore.Visitors;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Tests;

public sealed class CrawlerDetectorTests
{
    private static readonly CrawlerDetector Default = new(Options.Create(new FirstPartyOptions()));

    [Theory]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)")]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)")]
    [InlineData("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)")]
    [InlineData("facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)")]
    [InlineData("WhatsApp/2.23.20.0")]
    [InlineData("Mozilla/5.0 (compatible; Yahoo! Slurp; http://help.yahoo.com/help/us/ysearch/slurp)")]
    [InlineData("Mediapartners-Google")]
    [InlineData("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)")]
    [InlineData("SOMETHING-CRAWLER/1.0")]
    public void Recognises_known_crawlers_case_insensitively(string userAgent)
        => Assert.True(Default.IsCrawler(userAgent));

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36")]
    [InlineData("")]
    public void Does_not_flag_browsers_or_headless_chrome(string userAgent)
        => Assert.False(Default.IsCrawler(userAgent));

    [Fact]
    public void A_missing_user_agent_is_not_a_crawler()
    {
        Assert.False(Default.IsCrawler(StringValues.Empty));
        Assert.False(Default.IsCrawler(new StringValues((string?)null)));
    }

    [Fact]
    public void Any_of_several_user_agent_values_can_mark_a_crawler()
        => Assert.True(Default.IsCrawler(new StringValues(["Mozilla/5.0 Firefox/133.0", "Googlebot/2.1"])));

    [Fact]
    public void A_configured_list_replaces_the_defaults()
    {
        var options = new FirstPartyOptions { Visitor = { CrawlerUserAgents = ["InternalProbe"] } };
        var detector = new CrawlerDetector(Options.Create(options));

        Assert.True(detector.IsCrawler("internalprobe/1.0"));
        Assert.False(detector.IsCrawler("Mozilla/5.0 (compatible; Googlebot/2.1)"));
    }

    [Fact]
    public void Blank_patterns_are_ignored()
    {
        var detector = new CrawlerDetector(["", "  ", "probe"]);

        Assert.False(detector.IsCrawler("Mozilla/5.0 Firefox/133.0"));
        Assert.False(detector.IsCrawler(" "));
        Assert.True(detector.IsCrawler("my probe"));
    }

    [Fact]
    public void An_empty_list_flags_nothing()
        => Assert.False(new CrawlerDetector([]).IsCrawler("Googlebot/2.1"));
}
