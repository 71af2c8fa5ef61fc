using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Visitors;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Tests;

public sealed class CrawlerDetectorTests
{
    private static readonly CrawlerDetector Default = new(Options.Create(new FirstPartyOptions()));

    [Fact]
    public void No_person_in_the_corpus_is_taken_for_a_crawler()
    {
        var people = Corpus("people.txt");

        var flagged = people.Where(ua => Default.IsCrawler(ua)).ToList();

        Assert.True(people.Count > 1000, $"The corpus has only {people.Count} user agents.");
        Assert.True(flagged.Count == 0, "Taken for crawlers:\n" + string.Join('\n', flagged));
    }

    [Fact]
    public void Every_crawler_in_the_corpus_is_recognised()
    {
        var crawlers = Corpus("crawlers.txt");

        var missed = crawlers.Where(ua => !Default.IsCrawler(ua)).ToList();

        Assert.True(crawlers.Count > 40, $"The corpus has only {crawlers.Count} user agents.");
        Assert.True(missed.Count == 0, "Not recognised:\n" + string.Join('\n', missed));
    }

    [Fact]
    public void Every_example_the_vendored_list_gives_is_recognised()
    {
        var samples = CrawlerUserAgentList.Embedded.SampleCrawlers;

        var missed = samples.Where(ua => !Default.IsCrawler(ua)).ToList();

        Assert.True(samples.Count > 1000, $"The list gives only {samples.Count} examples.");
        Assert.True(missed.Count == 0, "Not recognised:\n" + string.Join('\n', missed));
    }

    [Theory]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]")]
    [InlineData("Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/127.0.6533.103 Mobile Safari/537.36 [Pinterest/Android]")]
    [InlineData("Mozilla/5.0 (Linux; Android 10; CUBOT_X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36")]
    [InlineData("Mozilla/5.0 (Linux; Android 12; CUBOT NOTE 30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.6261.119 Mobile Safari/537.36")]
    public void In_app_browsers_and_phones_a_substring_list_took_for_crawlers_are_people(string userAgent)
        => Assert.False(Default.IsCrawler(userAgent));

    [Theory]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36")]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Playwright/1.49")]
    [InlineData("")]
    public void Does_not_flag_browsers_or_browser_automation(string userAgent)
        => Assert.False(Default.IsCrawler(userAgent));

    [Fact]
    public void The_list_leaves_out_browser_automation_only()
    {
        var list = CrawlerUserAgentList.Embedded;

        Assert.DoesNotContain("HeadlessChrome", list.Patterns);
        Assert.DoesNotContain("Playwright", list.Patterns);
        Assert.Contains("Googlebot\\/", list.Patterns);
        Assert.True(list.Patterns.Count > 1400, $"Only {list.Patterns.Count} patterns were read.");
    }

    [Fact]
    public void The_vendored_list_is_the_one_its_stamp_names()
    {
        var list = CrawlerUserAgentList.Embedded;

        Assert.Matches(@"^\d+\.\d+\.\d+$", list.Version);
        Assert.Equal(list.StampedSha256, list.Sha256);
    }

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
        var options = new FirstPartyOptions { Visitor = { CrawlerUserAgents = ["(?i)InternalProbe"] } };
        var detector = new CrawlerDetector(Options.Create(options));

        Assert.True(detector.IsCrawler("internalprobe/1.0"));
        Assert.False(detector.IsCrawler("Mozilla/5.0 (compatible; Googlebot/2.1)"));
    }

    [Fact]
    public void Configured_patterns_are_case_sensitive_like_the_list()
    {
        var detector = new CrawlerDetector(["InternalProbe"]);

        Assert.True(detector.IsCrawler("InternalProbe/1.0"));
        Assert.False(detector.IsCrawler("internalprobe/1.0"));
    }

    [Theory]
    [InlineData("^curl", "curl/8.0", "libcurl-agent curl/8.0")]
    [InlineData("(sistrix|SISTRIX) [cC]rawler", "SISTRIX Crawler", "Sistrix crawler")]
    [InlineData("AdsBot-Google([^-]|$)", "AdsBot-Google (+http://www.google.com/adsbot.html)", "AdsBot-Google-Mobile-Apps")]
    [InlineData("ContextualBot[\\s\\S]*outcomes\\.net", "ContextualBot/1.0 (+https://outcomes.net)", "ContextualBot/1.0")]
    [InlineData("^[0-9]+$", "12345", "12345a")]
    [InlineData("Automaton|Newsify Feed Fetcher", "Newsify Feed Fetcher/1.0", "Newsify/1.0")]
    [InlineData("x{2}yz", "xxyz", "xyz")]
    public void Patterns_with_operators_match_as_regular_expressions(string pattern, string crawler, string person)
    {
        var detector = new CrawlerDetector([pattern]);

        Assert.True(Regex.IsMatch(crawler, pattern) && !Regex.IsMatch(person, pattern), "The test case itself is wrong.");
        Assert.True(detector.IsCrawler(crawler));
        Assert.False(detector.IsCrawler(person));
    }

    [Fact]
    public void Remembered_answers_never_leak_to_another_user_agent()
    {
        // One slot: every user agent replaces the previous answer, so only the key comparison keeps them apart.
        var detector = new CrawlerDetector(CrawlerUserAgentList.Embedded.Patterns, cacheSize: 1);
        const string Person = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
        const string Crawler = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

        for (var i = 0; i < 3; i++)
        {
            Assert.False(detector.IsCrawler(Person));
            Assert.False(detector.IsCrawler(Person));
            Assert.True(detector.IsCrawler(Crawler));
            Assert.True(detector.IsCrawler(Crawler));
        }
    }

    [Fact]
    public void A_user_agent_too_long_to_remember_is_still_answered()
    {
        var longCrawler = new string('x', CrawlerDetector.MaxCachedLength) + " Googlebot/2.1";
        var longPerson = "Mozilla/5.0 " + new string('x', CrawlerDetector.MaxCachedLength);

        Assert.True(Default.IsCrawler(longCrawler));
        Assert.True(Default.IsCrawler(longCrawler));
        Assert.False(Default.IsCrawler(longPerson));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(3)]
    [InlineData(1000)]
    public void The_answer_table_size_must_be_a_power_of_two(int size)
        => Assert.Throws<ArgumentOutOfRangeException>(() => new CrawlerDetector(["probe"], size));

    [Fact]
    public void An_invalid_pattern_is_refused()
        => Assert.ThrowsAny<ArgumentException>(() => new CrawlerDetector(["bot("]));

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

    private static List<string> Corpus(string file)
        => [.. File.ReadLines(Path.Combine(AppContext.BaseDirectory, "UserAgents", file))
            .Where(static line => line.Length > 0 && !line.StartsWith('#'))];
}
