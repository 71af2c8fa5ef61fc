using System.Buffers.Binary;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Writes the binary payload of a format-3 cookie value (layout in docs/visitor-cookies.md). Every
/// method returns false instead of throwing when the destination is full or the value has no
/// compact form, so the caller can fall back to the text format.
/// </summary>
internal ref struct CompactPayloadWriter(Span<byte> destination)
{
    private readonly Span<byte> _destination = destination;
    private int _position;

    public readonly int Written => _position;

    public bool TryWriteByte(byte value)
    {
        if (_position >= _destination.Length)
        {
            return false;
        }

        _destination[_position++] = value;
        return true;
    }

    /// <summary>Unsigned LEB128: seven bits a byte, low bits first, the high bit set on all but the last.</summary>
    public bool TryWriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            if (!TryWriteByte((byte)(value | 0x80)))
            {
                return false;
            }

            value >>= 7;
        }

        return TryWriteByte((byte)value);
    }

    /// <summary>A non-negative int as a varint (negative ints are not part of any payload).</summary>
    public bool TryWriteCount(int value) => value >= 0 && TryWriteVarint((ulong)value);

    /// <summary>Unix seconds as 4 bytes, little-endian: 1970 to 2106, which covers every real timestamp.</summary>
    public bool TryWriteUnixSeconds(long seconds)
    {
        if (seconds is < 0 or > uint.MaxValue || _position + 4 > _destination.Length)
        {
            return false;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(_destination[_position..], (uint)seconds);
        _position += 4;
        return true;
    }

    /// <summary>A later time as the varint of its distance from <paramref name="origin"/>.</summary>
    public bool TryWriteDelta(long origin, long later) => later >= origin && TryWriteVarint((ulong)(later - origin));

    /// <summary>A lowercase hyphenated UUID as its 16 bytes, in text order; false for any other text.</summary>
    public bool TryWriteUuid(ReadOnlySpan<char> uuid)
    {
        if (uuid.Length != 36 || _position + 16 > _destination.Length)
        {
            return false;
        }

        var output = _destination.Slice(_position, 16);
        var o = 0;
        for (var i = 0; i < 36;)
        {
            if (i is 8 or 13 or 18 or 23)
            {
                if (uuid[i] != '-')
                {
                    return false;
                }

                i++;
                continue;
            }

            var high = LowerHex(uuid[i]);
            var low = LowerHex(uuid[i + 1]);
            if ((high | low) < 0)
            {
                return false;
            }

            output[o++] = (byte)((high << 4) | low);
            i += 2;
        }

        _position += 16;
        return true;
    }

    /// <summary>ASCII text after a one-byte length; false when longer than <paramref name="maxLength"/> or not ASCII.</summary>
    public bool TryWriteShortAscii(ReadOnlySpan<char> text, int maxLength)
    {
        if (text.Length > maxLength || text.Length > byte.MaxValue || !TryWriteByte((byte)text.Length))
        {
            return false;
        }

        return TryWriteAscii(text);
    }

    /// <summary>ASCII text without a length (the reader knows it from the context).</summary>
    public bool TryWriteAscii(ReadOnlySpan<char> text)
    {
        if (_position + text.Length > _destination.Length)
        {
            return false;
        }

        var output = _destination.Slice(_position, text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsAscii(text[i]))
            {
                return false;
            }

            output[i] = (byte)text[i];
        }

        _position += text.Length;
        return true;
    }

    private static int LowerHex(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => -1,
    };
}
