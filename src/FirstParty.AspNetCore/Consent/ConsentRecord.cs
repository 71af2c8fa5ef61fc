using FirstParty.AspNetCore.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Visitors;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// The content of the consent cookie. Binary form (format 3): consent id (16 bytes), revision
/// (varint), decided at (Unix seconds, 4 bytes little-endian), expires at minus decided at (varint),
/// one byte packing the source (bits 0-2, its index in <see cref="ConsentSources"/>), the regime (bits
/// 3-4) and the opt-out-signal flag (bit 5), the region as length-prefixed ASCII (length 0 when
/// unknown), then the granted choices to the end: a key is a <see cref="ConsentKeyCodes"/> code
/// (high bit set) or a length (1 to 64) and that many ASCII characters; a service choice is
/// <see cref="ConsentKeyCodes.ServiceMarker"/>, its category key and its service key. Text form:
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

    private const int SourceMask = 0b111;
    private const int RegimeShift = 3;
    private const int RegimeMask = 0b11;
    private const int OptOutSignalFlag = 1 << 5;
    private const int MaxRegionLength = 16;
    private const int MaxChoices = 64;

    public static bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out ConsentRecord? value)
    {
        value = null;
        var reader = new CompactPayloadReader(data);
        if (!reader.TryReadUuid(out var id)
            || !reader.TryReadCount(out var revision)
            || !reader.TryReadUnixSeconds(out var decidedAt)
            || !reader.TryReadDelta(decidedAt, out var expiresAt)
            || !reader.TryReadByte(out var packed)
            || (packed & ~(SourceMask | (RegimeMask << RegimeShift) | OptOutSignalFlag)) != 0
            || ConsentSources.Get(packed & SourceMask) is not { } source
            || !Enum.IsDefined((ConsentRegime)((packed >> RegimeShift) & RegimeMask))
            || !reader.TryReadShortAscii(out var regionBytes))
        {
            return false;
        }

        string? region = null;
        if (!regionBytes.IsEmpty)
        {
            region = System.Text.Encoding.ASCII.GetString(regionBytes);
            if (RegionRules.Normalize(region) != region)
            {
                return false;
            }
        }

        var granted = new List<string>();
        while (!reader.AtEnd)
        {
            if (granted.Count >= MaxChoices || !TryReadChoice(ref reader, out var choice))
            {
                return false;
            }

            granted.Add(choice);
        }

        value = new ConsentRecord(id, revision, decidedAt, expiresAt, source, (ConsentRegime)((packed >> RegimeShift) & RegimeMask), region,
            granted.Count == 0 ? [] : granted, (packed & OptOutSignalFlag) != 0);
        return true;
    }

    public bool TryWrite(Span<byte> destination, out int written)
    {
        written = 0;
        var sourceIndex = ConsentSources.IndexOf(Source);
        if (sourceIndex < 0 || (uint)Regime > RegimeMask || Granted.Count > MaxChoices)
        {
            return false;
        }

        var writer = new CompactPayloadWriter(destination);
        var packed = sourceIndex | ((int)Regime << RegimeShift) | (MadeUnderOptOutSignal ? OptOutSignalFlag : 0);
        if (!writer.TryWriteUuid(Id)
            || !writer.TryWriteCount(Revision)
            || !writer.TryWriteUnixSeconds(DecidedAt)
            || !writer.TryWriteDelta(DecidedAt, ExpiresAt)
            || !writer.TryWriteByte((byte)packed)
            || !writer.TryWriteShortAscii(Region ?? string.Empty, MaxRegionLength))
        {
            return false;
        }

        for (var i = 0; i < Granted.Count; i++)
        {
            if (!TryWriteChoice(ref writer, Granted[i]))
            {
                return false;
            }
        }

        written = writer.Written;
        return true;
    }

    private static bool TryWriteChoice(ref CompactPayloadWriter writer, string choice)
    {
        var slash = choice.IndexOf('/', StringComparison.Ordinal);
        return slash < 0
            ? TryWriteKey(ref writer, choice)
            : writer.TryWriteByte(ConsentKeyCodes.ServiceMarker) && TryWriteKey(ref writer, choice.AsSpan(0, slash)) && TryWriteKey(ref writer, choice.AsSpan(slash + 1));
    }

    private static bool TryWriteKey(ref CompactPayloadWriter writer, ReadOnlySpan<char> key)
    {
        if (!IsKey(key))
        {
            return false;
        }

        var code = ConsentKeyCodes.Find(key);
        return code >= 0
            ? writer.TryWriteByte((byte)(ConsentKeyCodes.CodeFlag | code))
            : writer.TryWriteByte((byte)key.Length) && writer.TryWriteAscii(key);
    }

    private static bool TryReadChoice(ref CompactPayloadReader reader, [NotNullWhen(true)] out string? choice)
    {
        choice = null;
        if (!reader.TryReadByte(out var first))
        {
            return false;
        }

        if (first != ConsentKeyCodes.ServiceMarker)
        {
            return TryReadKey(ref reader, first, out choice);
        }

        if (!reader.TryReadByte(out var categoryFirst) || !TryReadKey(ref reader, categoryFirst, out var category)
            || !reader.TryReadByte(out var serviceFirst) || !TryReadKey(ref reader, serviceFirst, out var service))
        {
            return false;
        }

        choice = ConsentPolicy.ServiceKey(category, service);
        return true;
    }

    private static bool TryReadKey(ref CompactPayloadReader reader, byte first, [NotNullWhen(true)] out string? key)
    {
        key = null;
        if ((first & ConsentKeyCodes.CodeFlag) != 0)
        {
            key = ConsentKeyCodes.Get(first & ~ConsentKeyCodes.CodeFlag);
            return key is not null;
        }

        if (first is 0 or > ConsentKeyCodes.MaxLiteralLength || !reader.TryReadBytes(first, out var bytes))
        {
            return false;
        }

        Span<char> chars = stackalloc char[ConsentKeyCodes.MaxLiteralLength];
        System.Text.Ascii.ToUtf16(bytes, chars, out var length);
        var literal = chars[..length];

        // A dictionary key spelled out would be a second byte form of the same decision.
        if (length != bytes.Length || !IsKey(literal) || ConsentKeyCodes.Find(literal) >= 0)
        {
            return false;
        }

        key = literal.ToString();
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

    // The order is the source's code in the consent cookie's binary form: append only.
    private static readonly string[] All = [AcceptAll, RejectAll, Custom, Withdraw, Api, Gpc];

    /// <summary>The index of a known source (its code in the consent cookie's binary form), or -1.</summary>
    public static int IndexOf(string source) => Array.IndexOf(All, source);

    /// <summary>The source of an index, or null.</summary>
    public static string? Get(int index) => (uint)index < (uint)All.Length ? All[index] : null;

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
