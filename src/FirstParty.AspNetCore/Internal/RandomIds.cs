using System.Security.Cryptography;

namespace FirstParty.AspNetCore.Internal;

/// <summary>Random identifiers for visitors and sessions.</summary>
internal static class RandomIds
{
    /// <summary>A lowercase RFC 9562 version 4 UUID from <see cref="RandomNumberGenerator"/>.</summary>
    public static string NewUuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    /// <summary>True for a lowercase, hyphenated UUID (the only form FirstParty writes).</summary>
    public static bool IsLowercaseUuid(ReadOnlySpan<char> value)
        => value.Length == 36
            && Guid.TryParseExact(value, "D", out _)
            && !value.ContainsAnyInRange('A', 'F');
}
