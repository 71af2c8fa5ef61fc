using FirstParty.AspNetCore.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// The content of the session cookie. Text form:
/// <c>{sessionId}.{index}.{start}.{lastActivity}.{previousSessionId}</c>, times in Unix seconds,
/// <c>previousSessionId</c> empty for a visitor's first session.
/// </summary>
internal sealed record SessionRecord(string Id, int Index, long Start, long LastActivity, string? PreviousId)
    : ICookiePayload<SessionRecord>
{
    private const int FieldCount = 5;

    public static bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out SessionRecord? value)
    {
        value = null;
        Span<Range> fields = stackalloc Range[FieldCount + 1];
        if (text.Split(fields, '.') != FieldCount)
        {
            return false;
        }

        var id = text[fields[0]];
        var previousId = text[fields[4]];
        if (!RandomIds.IsLowercaseUuid(id)
            || !(previousId.IsEmpty || RandomIds.IsLowercaseUuid(previousId))
            || !int.TryParse(text[fields[1]], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            || index < 1
            || !UnixSeconds.TryParse(text[fields[2]], out var start)
            || !UnixSeconds.TryParse(text[fields[3]], out var lastActivity)
            || lastActivity < start)
        {
            return false;
        }

        value = new SessionRecord(id.ToString(), index, start, lastActivity, previousId.IsEmpty ? null : previousId.ToString());
        return true;
    }

    public bool TryFormat(Span<char> destination, out int written)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{Id}.{Index}.{Start}.{LastActivity}.{PreviousId}", out written);

    public string Format() => CookiePayload.Format(this);
}
