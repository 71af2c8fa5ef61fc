using FirstParty.AspNetCore.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// The content of the visitor cookie. Text form:
/// <c>{visitorId}.{firstSeen}.{sessionCount}.{lastSessionId}.{lastSeen}</c>, times in Unix seconds,
/// <c>lastSessionId</c> empty before the first session.
/// </summary>
internal sealed record VisitorRecord(string Id, long FirstSeen, int SessionCount, string? LastSessionId, long LastSeen)
    : ICookiePayload<VisitorRecord>
{
    private const int FieldCount = 5;

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out VisitorRecord? value)
    {
        value = null;
        Span<Range> fields = stackalloc Range[FieldCount + 1];
        if (text.Split(fields, '.') != FieldCount)
        {
            return false;
        }

        var id = text[fields[0]];
        var lastSessionId = text[fields[3]];
        if (!RandomIds.IsLowercaseUuid(id)
            || !(lastSessionId.IsEmpty || RandomIds.IsLowercaseUuid(lastSessionId))
            || !UnixSeconds.TryParse(text[fields[1]], out var firstSeen)
            || !int.TryParse(text[fields[2]], NumberStyles.None, CultureInfo.InvariantCulture, out var sessionCount)
            || !UnixSeconds.TryParse(text[fields[4]], out var lastSeen)
            || lastSeen < firstSeen)
        {
            return false;
        }

        value = new VisitorRecord(id.ToString(), firstSeen, sessionCount, lastSessionId.IsEmpty ? null : lastSessionId.ToString(), lastSeen);
        return true;
    }

    public bool TryFormat(Span<char> destination, out int written)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{Id}.{FirstSeen}.{SessionCount}.{LastSessionId}.{LastSeen}", out written);

    public string Format() => CookiePayload.Format(this);
}
