using System.Globalization;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// The Public Suffix List (ICANN and PRIVATE sections) and the algorithm of publicsuffix.org:
/// the prevailing rule is an exception rule if one matches, otherwise the matching rule with the
/// most labels, otherwise <c>*</c>. Rules are kept in ASCII (punycode), the form hosts arrive in.
/// </summary>
internal sealed class PublicSuffixList
{
    private const string EmbeddedResourceName = "FirstParty.AspNetCore.public_suffix_list.dat";

    private static readonly Lazy<PublicSuffixList> EmbeddedList = new(LoadEmbedded);

    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _rules;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _wildcards;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _exceptions;

    private PublicSuffixList(HashSet<string> rules, HashSet<string> wildcards, HashSet<string> exceptions)
    {
        _rules = rules.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcards = wildcards.GetAlternateLookup<ReadOnlySpan<char>>();
        _exceptions = exceptions.GetAlternateLookup<ReadOnlySpan<char>>();
        RuleCount = rules.Count + wildcards.Count + exceptions.Count;
    }

    /// <summary>The copy shipped inside the package.</summary>
    public static PublicSuffixList Embedded => EmbeddedList.Value;

    public int RuleCount { get; }

    public static PublicSuffixList Load(string path)
    {
        using var reader = new StreamReader(path);
        return Parse(reader);
    }

    public static PublicSuffixList Parse(TextReader reader)
    {
        var rules = new HashSet<string>(StringComparer.Ordinal);
        var wildcards = new HashSet<string>(StringComparer.Ordinal);
        var exceptions = new HashSet<string>(StringComparer.Ordinal);
        var idn = new IdnMapping();

        while (reader.ReadLine() is { } line)
        {
            // A rule is the first whitespace-delimited token of a line; comments start with "//".
            var rule = line.AsSpan().Trim();
            var space = rule.IndexOfAny(' ', '\t');
            if (space >= 0)
            {
                rule = rule[..space];
            }

            if (rule.IsEmpty || rule.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var target = rules;
            if (rule.StartsWith("!", StringComparison.Ordinal))
            {
                target = exceptions;
                rule = rule[1..];
            }
            else if (rule.StartsWith("*.", StringComparison.Ordinal))
            {
                target = wildcards;
                rule = rule[2..];
            }

            if (ToAscii(rule, idn) is { } ascii)
            {
                target.Add(ascii);
            }
        }

        return new PublicSuffixList(rules, wildcards, exceptions);
    }

    /// <summary>
    /// Returns the registrable domain (public suffix plus one label) of a lowercase ASCII host, or
    /// null when the host is itself a public suffix.
    /// </summary>
    public string? GetRegistrableDomain(string host)
    {
        var suffixStart = GetPublicSuffixStart(host);
        if (suffixStart == 0)
        {
            return null;
        }

        var labelStart = host.LastIndexOf('.', suffixStart - 2) + 1;
        return labelStart == 0 ? host : host[labelStart..];
    }

    /// <summary>Returns the index in <paramref name="host"/> where its public suffix begins.</summary>
    private int GetPublicSuffixStart(string host)
    {
        // Walk the suffixes from the longest to the shortest: the first match has the most labels,
        // and an exception rule always has more labels than the wildcard it carves out of.
        var start = 0;
        while (true)
        {
            var suffix = host.AsSpan(start);
            var dot = suffix.IndexOf('.');
            if (_exceptions.Contains(suffix))
            {
                return dot < 0 ? start : start + dot + 1;
            }

            if (_rules.Contains(suffix) || (dot >= 0 && _wildcards.Contains(suffix[(dot + 1)..])))
            {
                return start;
            }

            if (dot < 0)
            {
                // The implicit "*" rule: the last label is a public suffix.
                return start;
            }

            start += dot + 1;
        }
    }

    private static string? ToAscii(ReadOnlySpan<char> rule, IdnMapping idn)
    {
        if (System.Text.Ascii.IsValid(rule))
        {
            return rule.ToString().ToLowerInvariant();
        }

        try
        {
            return idn.GetAscii(rule.ToString()).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            // A rule the IDNA mapping rejects can never match a host that reached us; skip it.
            return null;
        }
    }

    private static PublicSuffixList LoadEmbedded()
    {
        using var stream = typeof(PublicSuffixList).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"The embedded resource '{EmbeddedResourceName}' is missing.");
        using var reader = new StreamReader(stream);
        return Parse(reader);
    }
}
