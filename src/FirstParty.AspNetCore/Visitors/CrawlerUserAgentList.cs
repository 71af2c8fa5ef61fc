using System.Security.Cryptography;
using System.Text.Json;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// The vendored copy of the <c>crawler-user-agents</c> list (a maintained JSON list of crawler
/// user-agent patterns, each a regular expression matched case-sensitively) and the stamp that names
/// its version. Both are embedded; <c>scripts/update-crawler-user-agents.sh</c> refreshes them.
/// </summary>
internal sealed class CrawlerUserAgentList
{
    private const string ListResourceName = "FirstParty.AspNetCore.crawler-user-agents.json";
    private const string StampResourceName = "FirstParty.AspNetCore.crawler-user-agents.stamp";

    /// <summary>
    /// Entries with this tag are browsers driven by a program on someone's behalf (UI tests with
    /// HeadlessChrome or Playwright, site-specific browsers, AI agents browsing for a person): they
    /// render pages like any browser, so they are treated as people, as FirstParty always has.
    /// </summary>
    internal const string BrowserAutomationTag = "browser-automation";

    private static readonly Lazy<CrawlerUserAgentList> EmbeddedList = new(LoadEmbedded);

    private CrawlerUserAgentList(string version, string sha256, string? stampedSha256, IReadOnlyList<string> patterns, IReadOnlyList<string> sampleCrawlers)
    {
        Version = version;
        Sha256 = sha256;
        StampedSha256 = stampedSha256;
        Patterns = patterns;
        SampleCrawlers = sampleCrawlers;
    }

    /// <summary>The copy shipped inside the package.</summary>
    public static CrawlerUserAgentList Embedded => EmbeddedList.Value;

    /// <summary>The package version the stamp names.</summary>
    public string Version { get; }

    /// <summary>The SHA-256 (lowercase hex) of the list file, computed from the embedded bytes.</summary>
    public string Sha256 { get; }

    /// <summary>The stamp's SHA-256 line; the refresh script writes it, so a hand edit of the list shows as a mismatch.</summary>
    public string? StampedSha256 { get; }

    /// <summary>The patterns FirstParty uses: every entry except browser automation.</summary>
    public IReadOnlyList<string> Patterns { get; }

    /// <summary>The example user agents the list gives for the patterns FirstParty uses.</summary>
    public IReadOnlyList<string> SampleCrawlers { get; }

    /// <summary>Reads the list's JSON: an array of entries with a <c>pattern</c>, <c>instances</c> and <c>tags</c>.</summary>
    public static CrawlerUserAgentList Parse(ReadOnlyMemory<byte> json, string version, string? stampedSha256)
    {
        var patterns = new List<string>();
        var samples = new List<string>();
        using var document = JsonDocument.Parse(json);
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            if (entry.TryGetProperty("tags", out var tags)
                && tags.EnumerateArray().Any(static tag => tag.ValueEquals(BrowserAutomationTag)))
            {
                continue;
            }

            patterns.Add(entry.GetProperty("pattern").GetString()
                ?? throw new InvalidOperationException("A crawler list entry has a null pattern."));
            if (entry.TryGetProperty("instances", out var instances))
            {
                samples.AddRange(instances.EnumerateArray().Select(static i => i.GetString()).OfType<string>());
            }
        }

        return new CrawlerUserAgentList(version, Convert.ToHexStringLower(SHA256.HashData(json.Span)), stampedSha256, patterns, samples);
    }

    private static CrawlerUserAgentList LoadEmbedded()
    {
        var assembly = typeof(CrawlerUserAgentList).Assembly;
        using var list = assembly.GetManifestResourceStream(ListResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{ListResourceName}' is missing.");
        using var stampStream = assembly.GetManifestResourceStream(StampResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{StampResourceName}' is missing.");
        using var stampReader = new StreamReader(stampStream);

        string? version = null;
        string? stampedSha256 = null;
        while (stampReader.ReadLine() is { } line)
        {
            if (line.StartsWith("version ", StringComparison.Ordinal))
            {
                version = line["version ".Length..].Trim();
            }
            else if (line.StartsWith("sha256 ", StringComparison.Ordinal))
            {
                stampedSha256 = line["sha256 ".Length..].Trim();
            }
        }

        using var buffer = new MemoryStream();
        list.CopyTo(buffer);
        return Parse(
            buffer.GetBuffer().AsMemory(0, (int)buffer.Length),
            version ?? throw new InvalidOperationException($"The embedded resource '{StampResourceName}' names no version."),
            stampedSha256);
    }
}
