using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// Reads crawler-list patterns (regular expressions) well enough to avoid running most of them as
/// regular expressions: a pattern without operators is plain text, and a pattern with operators
/// usually contains a stretch of text any match must include, which a fast substring search can
/// look for first. Every answer errs on the safe side: when unsure, a pattern stays a regex.
/// </summary>
internal static class CrawlerPatterns
{
    private const string Operators = "[](){}^$.*+?|";
    private const string Quantifiers = "?*+{";

    /// <summary>
    /// The top-level alternatives of a pattern (<c>a|b</c> gives <c>a</c> and <c>b</c>), or the
    /// pattern itself when it has none, or when it sets inline options (<c>(?i)</c>), which would
    /// not carry over to the parts.
    /// </summary>
    public static IEnumerable<string> Alternatives(string pattern)
    {
        if (pattern.Contains("(?", StringComparison.Ordinal))
        {
            return [pattern];
        }

        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    if (SkipClass(pattern, i) is not { } end)
                    {
                        return [pattern];
                    }

                    i = end;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case '|' when depth == 0:
                    parts.Add(pattern[start..i]);
                    start = i + 1;
                    break;
            }
        }

        parts.Add(pattern[start..]);
        return parts.Any(static p => p.Length == 0) ? [pattern] : parts;
    }

    /// <summary>
    /// The text a pattern matches when it has no operators: only characters that stand for
    /// themselves and backslash escapes of punctuation (<c>\/</c>, <c>\.</c>, <c>\-</c>). An escaped
    /// word character (<c>\d</c>, <c>\s</c>, <c>\1</c>) is a class, a reference or an error, not text.
    /// </summary>
    public static bool TryReadLiteral(string pattern, [NotNullWhen(true)] out string? literal)
    {
        literal = null;
        var text = new StringBuilder(pattern.Length);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '\\')
            {
                if (!IsEscapedText(pattern, i))
                {
                    return false;
                }

                text.Append(pattern[++i]);
            }
            else if (Operators.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
            else
            {
                text.Append(c);
            }
        }

        literal = text.ToString();
        return literal.Length > 0;
    }

    /// <summary>
    /// The longest text every match of the pattern contains: a run of plain characters outside any
    /// group or class, without the character a quantifier applies to. Null when there is none, or
    /// when the pattern sets inline options (the text might then match in another case).
    /// </summary>
    public static string? RequiredLiteral(string pattern)
    {
        if (pattern.Contains("(?", StringComparison.Ordinal) || (pattern.Contains('|', StringComparison.Ordinal) && Alternatives(pattern).Skip(1).Any()))
        {
            return null;
        }

        string? best = null;
        var run = new StringBuilder();
        var depth = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (depth == 0 && Quantifiers.Contains(c, StringComparison.Ordinal))
            {
                // The quantifier makes the character before it optional or repeated.
                if (run.Length > 0)
                {
                    run.Length--;
                }

                Keep(run, ref best);
                if (c == '{')
                {
                    // Skip the counts ({2}, {1,3}); an unclosed brace leaves nothing certain after it.
                    var close = pattern.IndexOf('}', i);
                    if (close < 0)
                    {
                        break;
                    }

                    i = close;
                }

                continue;
            }

            switch (c)
            {
                case '\\' when IsEscapedText(pattern, i):
                    if (depth == 0)
                    {
                        run.Append(pattern[i + 1]);
                    }

                    i++;
                    continue;
                case '\\':
                    i++;
                    break;
                case '[':
                    if (SkipClass(pattern, i) is not { } end)
                    {
                        return null;
                    }

                    i = end;
                    break;
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                default:
                    if (depth == 0 && !Operators.Contains(c, StringComparison.Ordinal))
                    {
                        run.Append(c);
                        continue;
                    }

                    break;
            }

            Keep(run, ref best);
        }

        Keep(run, ref best);
        return depth == 0 ? best : null;
    }

    private static void Keep(StringBuilder run, ref string? best)
    {
        if (run.Length > (best?.Length ?? 0))
        {
            best = run.ToString();
        }

        run.Clear();
    }

    private static bool IsEscapedText(string pattern, int backslash)
        => backslash + 1 < pattern.Length && !char.IsLetterOrDigit(pattern[backslash + 1]) && pattern[backslash + 1] != '_';

    /// <summary>The index of the <c>]</c> that closes the class opened at <paramref name="open"/>, or null.</summary>
    private static int? SkipClass(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^')
        {
            i++;
        }

        // A ']' first in a class is a member, not its end.
        if (i < pattern.Length && pattern[i] == ']')
        {
            i++;
        }

        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\')
            {
                i++;
            }
            else if (pattern[i] == ']')
            {
                return i;
            }
        }

        return null;
    }
}
