using System.Buffers;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>Recognises crawlers and link-preview fetchers by their <c>User-Agent</c>.</summary>
internal sealed class CrawlerDetector
{
    /// <summary>
    /// Substrings that only crawlers, archivers and link-preview fetchers put in their user agent.
    /// "HeadlessChrome" is deliberately absent: real people's automation and UI tests use it.
    /// </summary>
    internal static readonly string[] DefaultPatterns =
    [
        "bot", "crawl", "spider", "slurp", "archiver", "facebookexternalhit", "facebookcatalog",
        "embedly", "quora link preview", "whatsapp", "skypeuripreview", "bitlybot", "pinterest",
        "mediapartners-google", "google-inspectiontool", "feedfetcher", "yahoo! slurp", "ia_archiver",
        "lighthouse-ci", "ahrefs", "semrush", "petalbot", "bytespider", "gptbot", "ccbot",
    ];

    private readonly SearchValues<string> _patterns;

    public CrawlerDetector(IOptions<FirstPartyOptions> options)
        : this(options.Value.Visitor.CrawlerUserAgents ?? DefaultPatterns)
    {
    }

    internal CrawlerDetector(IEnumerable<string> patterns)
    {
        _patterns = SearchValues.Create([.. patterns.Where(p => !string.IsNullOrWhiteSpace(p))], StringComparison.OrdinalIgnoreCase);
    }

    public bool IsCrawler(StringValues userAgent)
    {
        foreach (var value in userAgent)
        {
            if (value is not null && value.AsSpan().ContainsAny(_patterns))
            {
                return true;
            }
        }

        return false;
    }
}
