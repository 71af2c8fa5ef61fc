using System.Security.Cryptography;

namespace FirstParty.AspNetCore.Internal;

/// <summary>Random identifiers for visitors and sessions.</summary>
internal static class RandomIds
{
    // Each call into the operating system's CSPRNG costs about a microsecond whatever the size
    // asked for (a native call and the generator's locking), more than everything else a new
    // visitor costs. Ids are drawn from a per-thread block of its output instead: every byte still
    // comes from RandomNumberGenerator, is used once, and is wiped from the block when taken.
    private const int BlockBytes = 512;
    private const int IdBytes = 16;

    [ThreadStatic]
    private static byte[]? t_block;

    [ThreadStatic]
    private static int t_taken;

    /// <summary>A lowercase RFC 9562 version 4 UUID from <see cref="RandomNumberGenerator"/>.</summary>
    public static string NewUuid()
    {
        Span<byte> bytes = stackalloc byte[IdBytes];
        Fill(bytes);
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }

    /// <summary>True for a lowercase, hyphenated UUID (the only form FirstParty writes).</summary>
    public static bool IsLowercaseUuid(ReadOnlySpan<char> value)
        => value.Length == 36
            && Guid.TryParseExact(value, "D", out _)
            && !value.ContainsAnyInRange('A', 'F');

    /// <summary>Fills <paramref name="destination"/> with bytes of the CSPRNG no one else got.</summary>
    internal static void Fill(Span<byte> destination)
    {
        if (destination.Length != IdBytes)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var block = t_block;
        var taken = t_taken;
        if (block is null || taken > BlockBytes - IdBytes)
        {
            block ??= t_block = new byte[BlockBytes];
            RandomNumberGenerator.Fill(block);
            taken = 0;
        }

        var slice = block.AsSpan(taken, IdBytes);
        slice.CopyTo(destination);
        CryptographicOperations.ZeroMemory(slice);
        t_taken = taken + IdBytes;
    }
}
