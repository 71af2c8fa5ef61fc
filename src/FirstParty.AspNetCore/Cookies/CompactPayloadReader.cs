using System.Buffers.Binary;
using System.Text;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Reads the binary payload of a format-3 cookie value. Every method returns false on truncated or
/// out-of-range input and never throws; encodings are canonical (a varint has no redundant
/// trailing zero group), so one record has exactly one byte form.
/// </summary>
internal ref struct CompactPayloadReader(ReadOnlySpan<byte> source)
{
    private const int MaxVarintBytes = 10;

    private static readonly long MaxUnixSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds();

    private readonly ReadOnlySpan<byte> _source = source;
    private int _position;

    public readonly int Remaining => _source.Length - _position;

    public readonly bool AtEnd => _position == _source.Length;

    public bool TryReadByte(out byte value)
    {
        if (_position >= _source.Length)
        {
            value = 0;
            return false;
        }

        value = _source[_position++];
        return true;
    }

    public bool TryReadVarint(out ulong value)
    {
        value = 0;
        for (var i = 0; i < MaxVarintBytes; i++)
        {
            if (!TryReadByte(out var b))
            {
                return false;
            }

            var group = (ulong)(b & 0x7F);
            if (i == MaxVarintBytes - 1 && group > 1)
            {
                return false; // beyond 64 bits
            }

            value |= group << (7 * i);
            if (b < 0x80)
            {
                // A last group of zero after the first byte is a longer spelling of a shorter number.
                return i == 0 || b != 0;
            }
        }

        return false;
    }

    public bool TryReadCount(out int value)
    {
        value = 0;
        if (!TryReadVarint(out var raw) || raw > int.MaxValue)
        {
            return false;
        }

        value = (int)raw;
        return true;
    }

    public bool TryReadUnixSeconds(out long seconds)
    {
        seconds = 0;
        if (Remaining < 4)
        {
            return false;
        }

        seconds = BinaryPrimitives.ReadUInt32LittleEndian(_source[_position..]);
        _position += 4;
        return true;
    }

    /// <summary>A later time: <paramref name="origin"/> plus a varint, within <see cref="DateTimeOffset"/>'s range.</summary>
    public bool TryReadDelta(long origin, out long later)
    {
        later = 0;
        if (!TryReadVarint(out var delta) || delta > (ulong)(MaxUnixSeconds - origin))
        {
            return false;
        }

        later = origin + (long)delta;
        return true;
    }

    /// <summary>16 bytes as a lowercase hyphenated UUID string.</summary>
    public bool TryReadUuid(out string value)
    {
        if (Remaining < 16)
        {
            value = string.Empty;
            return false;
        }

        value = new Guid(_source.Slice(_position, 16), bigEndian: true).ToString("D");
        _position += 16;
        return true;
    }

    public bool TryReadBytes(int length, out ReadOnlySpan<byte> bytes)
    {
        if (length < 0 || Remaining < length)
        {
            bytes = default;
            return false;
        }

        bytes = _source.Slice(_position, length);
        _position += length;
        return true;
    }

    /// <summary>ASCII text after a one-byte length.</summary>
    public bool TryReadShortAscii(out ReadOnlySpan<byte> text)
    {
        text = default;
        return TryReadByte(out var length) && TryReadBytes(length, out text) && Ascii.IsValid(text);
    }
}
