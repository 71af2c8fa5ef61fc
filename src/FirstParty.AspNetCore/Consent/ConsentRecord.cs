using FirstParty.AspNetCore.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Visitors;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// The content of the consent cookie. Text form:
/// <c>{consentId}.{revision}.{decidedAt}.{expiresAt}.{source}.{regime}.{region}.{granted}</c>, times in
/// Unix seconds, <c>region</c> empty when unknown, <c>granted</c> the granted category keys joined by
/// <c>+</c> (<c>-</c> for none), and services chosen one by one as <c>category/service</c>. Categories not listed were refused.
/// A ninth field <c>1</c> marks a decision made while the browser sent an opt-out signal (Global
/// Privacy Control): a later signal does not override it. Values without it (all earlier ones) parse
/// as decisions made without a signal.
/// </summary>
internal sealed record ConsentRecord(
    string Id, int Revision, long DecidedAt, long ExpiresAt, string Source, ConsentRegime Regime, string? Region, IReadOnlyList<string> Granted,
    bool MadeUnderOptOutSignal = false)
    : ICookiePayload<ConsentRecord>
{
    private const int FieldCount = 8;

    private static readonly System.Buffers.SearchValues<char> KeyChars = System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789-_");

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out ConsentRecord? value)
    {
        value = null;
        Span<Range> fields = stackalloc Range[FieldCount + 2];
        var count = text.Split(fields, '.');
        if (count != FieldCount && !(count == FieldCount + 1 && text[fields[FieldCount]].SequenceEqual("1")))
        {
            return false;
        }

        var id = text[fields[0]];
        var source = text[fields[4]];
        var region = text[fields[6]];
        var granted = text[fields[7]];
        if (!RandomIds.IsLowercaseUuid(id)
            || !int.TryParse(text[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out var revision)
            || !UnixSeconds.TryParse(text[fields[2]], out var decidedAt)
            || !UnixSeconds.TryParse(text[fields[3]], out var expiresAt)
            || expiresAt < decidedAt
            || ConsentSources.Find(source) is not { } knownSource
            || !TryParseRegime(text[fields[5]], out var regime)
            || !(region.IsEmpty || RegionRules.Normalize(region.ToString()) == region.ToString())
            || !TryParseCategories(granted, out var categories))
        {
            return false;
        }

        value = new ConsentRecord(id.ToString(), revision, decidedAt, expiresAt, knownSource, regime, region.IsEmpty ? null : region.ToString(), categories, count > FieldCount);
        return true;
    }

    public bool TryFormat(Span<char> destination, out int written)
        => destination.TryWrite(
            CultureInfo.InvariantCulture,
            $"{Id}.{Revision}.{DecidedAt}.{ExpiresAt}.{Source}.{(int)Regime}.{Region}.{(Granted.Count == 0 ? "-" : string.Join('+', Granted))}{(MadeUnderOptOutSignal ? ".1" : null)}",
            out written);

    public string Format() => CookiePayload.Format(this);

    /// <summary>
    /// True when the decision lists <paramref name="key"/> literally. Not "is it granted": a required
    /// category or a service of a listed category is granted without being listed; ask
    /// <see cref="ConsentPolicy.Grants"/>.
    /// </summary>
    public bool Lists(string key)
    {
        // Indexed loops: a foreach over IReadOnlyList boxes its enumerator, and this runs on every request.
        for (var i = 0; i < Granted.Count; i++)
        {
            if (string.Equals(Granted[i], key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the decision lists services of <paramref name="category"/> one by one.</summary>
    public bool ListsServicesOf(string category)
    {
        for (var i = 0; i < Granted.Count; i++)
        {
            var granted = Granted[i];
            if (granted.Length > category.Length && granted[category.Length] == '/' && granted.StartsWith(category, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A category key, or a service choice <c>category/service</c>.</summary>
    public static bool IsChoice(ReadOnlySpan<char> key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? IsKey(key) : IsKey(key[..slash]) && IsKey(key[(slash + 1)..]);
    }

    /// <summary>True for a lowercase category or service key: letters, digits, '-' and '_'.</summary>
    public static bool IsKey(ReadOnlySpan<char> key)
        => key.Length is > 0 and <= 64 && !key.ContainsAnyExcept(KeyChars);

    private static bool TryParseRegime(ReadOnlySpan<char> text, out ConsentRegime regime)
    {
        regime = default;
        if (text.Length != 1 || !char.IsAsciiDigit(text[0]))
        {
            return false;
        }

        regime = (ConsentRegime)(text[0] - '0');
        return Enum.IsDefined(regime);
    }

    private static bool TryParseCategories(ReadOnlySpan<char> text, out IReadOnlyList<string> categories)
    {
        categories = [];
        if (text.SequenceEqual("-"))
        {
            return true;
        }

        var list = new List<string>();
        foreach (var range in text.Split('+'))
        {
            var key = text[range];
            if (!IsChoice(key) || list.Count >= 64)
            {
                return false;
            }

            list.Add(key.ToString());
        }

        categories = list;
        return true;
    }
}

/// <summary>How a decision was made, as stored in the consent cookie and reported in the state.</summary>
internal static class ConsentSources
{
    public const string AcceptAll = "accept-all";
    public const string RejectAll = "reject-all";
    public const string Custom = "custom";
    public const string Withdraw = "withdraw";
    public const string Api = "api";
    public const string Gpc = "gpc";

    private static readonly string[] All = [AcceptAll, RejectAll, Custom, Withdraw, Api, Gpc];

    /// <summary>Returns the cached string for a known source, or null.</summary>
    public static string? Find(ReadOnlySpan<char> source)
    {
        foreach (var known in All)
        {
            if (source.SequenceEqual(known))
            {
                return known;
            }
        }

        return null;
    }
}
