using FirstParty.AspNetCore.Internal;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FirstParty.AspNetCore.Cookies;

namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// The content of the visitor cookie. Binary form (format 3): visitor id (16 bytes), first seen (Unix
/// seconds, 4 bytes little-endian), session count (varint), last seen minus first seen (varint), and
/// the last session id (16 bytes) unless there has been no session yet. Text form (formats 1 and 2):
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

    public static bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out VisitorRecord? value)
    {
        value = null;
        var reader = new CompactPayloadReader(data);
        if (!reader.TryReadUuid(out var id)
            || !reader.TryReadUnixSeconds(out var firstSeen)
            || !reader.TryReadCount(out var sessionCount)
            || !reader.TryReadDelta(firstSeen, out var lastSeen))
        {
            return false;
        }

        string? lastSessionId = null;
        if (!reader.AtEnd && !(reader.Remaining == 16 && reader.TryReadUuid(out lastSessionId)))
        {
            return false;
        }

        value = new VisitorRecord(id, firstSeen, sessionCount, lastSessionId, lastSeen);
        return true;
    }

    public bool TryWrite(Span<byte> destination, out int written)
    {
        var writer = new CompactPayloadWriter(destination);
        var ok = writer.TryWriteUuid(Id)
            && writer.TryWriteUnixSeconds(FirstSeen)
            && writer.TryWriteCount(SessionCount)
            && writer.TryWriteDelta(FirstSeen, LastSeen)
            && (LastSessionId is null || writer.TryWriteUuid(LastSessionId));
        written = ok ? writer.Written : 0;
        return ok;
    }

    public bool TryFormat(Span<char> destination, out int written)
        => destination.TryWrite(CultureInfo.InvariantCulture, $"{Id}.{FirstSeen}.{SessionCount}.{LastSessionId}.{LastSeen}", out written);

    public string Format() => CookiePayload.Format(this);
}
