using System.Buffers;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// Recognises crawlers, link-preview fetchers and HTTP libraries by their <c>User-Agent</c>, with the
/// vendored <c>crawler-user-agents</c> list (<see cref="CrawlerUserAgentList"/>) or a configured list
/// in the same syntax: regular expressions, matched case-sensitively.
/// </summary>
/// <remarks>
/// It runs on every top-level navigation, so the patterns are prepared once. One combined regex of
/// all 1,500 costs milliseconds a request (the backtracking engine tries every alternative at every
/// position; the non-backtracking one refuses an automaton that large). Instead, patterns that are
/// plain text go into one <see cref="SearchValues{T}"/> searched in a single pass; the few real
/// expressions run only when the text each of them requires is present (a second search), and the
/// rest, with no such text, in one combined regex. That still scans each user agent for 1,450
/// strings (about 0.6-0.9 us), so answers are remembered in a small table keyed by user agent: real
/// traffic repeats a few hundred user agents, and a repeat costs a hash and a comparison.
/// </remarks>
internal sealed class CrawlerDetector
{
    /// <summary>Slots of the answer table (a power of two); 0 turns it off.</summary>
    internal const int DefaultCacheSize = 1024;

    /// <summary>Longer user agents are answered every time, so the table holds at most about 1 MB of text.</summary>
    internal const int MaxCachedLength = 512;

    private const RegexOptions Options = RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled;

    // A direct-mapped table: a user agent's hash picks one slot, and a new answer replaces whatever
    // was there. Entries are immutable and replaced whole, so readers need no lock; it never grows,
    // so varied or hostile user agents cost only a miss.
    private readonly Answer?[] _answers;
    private readonly SearchValues<string>? _literals;
    private readonly SearchValues<string>? _requiredTexts;
    private readonly Regex? _gated;
    private readonly Regex? _ungated;

    public CrawlerDetector(IOptions<FirstPartyOptions> options)
        : this((IEnumerable<string>?)options.Value.Visitor.CrawlerUserAgents ?? CrawlerUserAgentList.Embedded.Patterns)
    {
    }

    internal CrawlerDetector(IEnumerable<string> patterns, int cacheSize = DefaultCacheSize)
    {
        if (cacheSize < 0 || (cacheSize & (cacheSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cacheSize), cacheSize, "The answer table's size must be 0 or a power of two.");
        }

        _answers = new Answer?[cacheSize];
        var literals = new List<string>();
        var requiredTexts = new List<string>();
        var gated = new List<string>();
        var ungated = new List<string>();
        foreach (var pattern in patterns)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                continue;
            }

            // Parsed alone first: an invalid pattern fails here with its own message, and one that
            // parses alone is balanced, so grouping it cannot change what the others match.
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            foreach (var alternative in CrawlerPatterns.Alternatives(pattern))
            {
                if (CrawlerPatterns.TryReadLiteral(alternative, out var literal))
                {
                    literals.Add(literal);
                }
                else if (CrawlerPatterns.RequiredLiteral(alternative) is { Length: >= 3 } required)
                {
                    requiredTexts.Add(required);
                    gated.Add("(?:" + alternative + ")");
                }
                else
                {
                    ungated.Add("(?:" + alternative + ")");
                }
            }
        }

        _literals = literals.Count == 0 ? null : SearchValues.Create([.. literals.Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
        _requiredTexts = requiredTexts.Count == 0 ? null : SearchValues.Create([.. requiredTexts.Distinct(StringComparer.Ordinal)], StringComparison.Ordinal);
        _gated = gated.Count == 0 ? null : new Regex(string.Join('|', gated), Options);
        _ungated = ungated.Count == 0 ? null : new Regex(string.Join('|', ungated), Options);
    }

    public bool IsCrawler(StringValues userAgent)
    {
        foreach (var value in userAgent)
        {
            if (!string.IsNullOrEmpty(value) && IsCrawler(value))
            {
                return true;
            }
        }

        return false;
    }

    private bool IsCrawler(string userAgent)
    {
        if (_answers.Length == 0 || userAgent.Length > MaxCachedLength)
        {
            return Match(userAgent);
        }

        var slot = userAgent.GetHashCode() & (_answers.Length - 1);
        if (_answers[slot] is { } known && string.Equals(known.UserAgent, userAgent, StringComparison.Ordinal))
        {
            return known.IsCrawler;
        }

        var answer = Match(userAgent);
        _answers[slot] = new Answer(userAgent, answer);
        return answer;
    }

    private bool Match(string userAgent)
    {
        var text = userAgent.AsSpan();
        return (_literals is not null && text.ContainsAny(_literals))
            || (_requiredTexts is not null && text.ContainsAny(_requiredTexts) && _gated!.IsMatch(userAgent))
            || (_ungated is not null && _ungated.IsMatch(userAgent));
    }

    private sealed record Answer(string UserAgent, bool IsCrawler);
}
