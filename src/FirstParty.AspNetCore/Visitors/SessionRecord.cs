using FirstParty.AspNetCore.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// The content of the session cookie. Binary form (format 3): session id (16 bytes), index (varint),
/// start (Unix seconds, 4 bytes little-endian), last activity minus start (varint), and the previous
/// session id (16 bytes) unless this is the visitor's first session. Text form (formats 1 and 2):
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

    public static bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out SessionRecord? value)
    {
        value = null;
        var reader = new CompactPayloadReader(data);
        if (!reader.TryReadUuid(out var id)
            || !reader.TryReadCount(out var index)
            || index < 1
            || !reader.TryReadUnixSeconds(out var start)
            || !reader.TryReadDelta(start, out var lastActivity))
        {
            return false;
        }

        string? previousId = null;
        if (!reader.AtEnd && !(reader.Remaining == 16 && reader.TryReadUuid(out previousId)))
        {
            return false;
        }

        value = new SessionRecord(id, index, start, lastActivity, previousId);
        return true;
    }

    public bool TryWrite(Span<byte> destination, out int written)
    {
        var writer = new CompactPayloadWriter(destination);
        var ok = Index >= 1
            && writer.TryWriteUuid(Id)
            && writer.TryWriteCount(Index)
            && writer.TryWriteUnixSeconds(Start)
            && writer.TryWriteDelta(Start, LastActivity)
            && (PreviousId is null || writer.TryWriteUuid(PreviousId));
        written = ok ? writer.Written : 0;
        return ok;
    }

    public bool TryFormat(Span<char> destination, out int written)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{Id}.{Index}.{Start}.{LastActivity}.{PreviousId}", out written);

    public string Format() => CookiePayload.Format(this);
}
