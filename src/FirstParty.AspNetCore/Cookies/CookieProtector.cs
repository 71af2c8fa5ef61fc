using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// The wire formats of FirstParty's integrity-protected cookie values, one purpose (cookie kind) per
/// instance so that a value of one kind never verifies as another:
/// <list type="bullet">
/// <item><c>3{base64url(hint, payload, mac)}</c>: a binary payload with a 96-bit HMAC-SHA256 under a
/// secret derived from the Data Protection key whose id starts with the one-byte hint
/// (<see cref="CookieKeyRing"/>). What is written whenever the key ring can sign.</item>
/// <item><c>2.{keyId}.{mac}.{payload}</c>: the text payload in clear, with a 128-bit HMAC-SHA256 under
/// the same secret. Still read, and written only for a payload with no compact form.</item>
/// <item><c>1.{base64url}</c>: the payload protected by Data Protection itself, used when the key ring
/// cannot provide signing secrets.</item>
/// </list>
/// </summary>
internal sealed class CookieProtector
{
    /// <summary>The Data Protection purpose every FirstParty cookie protector derives from.</summary>
    public const string RootPurpose = "FirstParty.AspNetCore.Cookies";

    public const int MaxPayloadLength = 512;

    /// <summary>The longest binary payload of a format-3 value.</summary>
    public const int MaxCompactPayloadLength = 512;

    /// <summary>The leading character of a format-3 value; formats 1 and 2 have a '.' after their digit, format 3 never does.</summary>
    public const char CompactVersion = '3';

    private const char DataProtectionVersion = '1';
    private const char SignedVersion = '2';
    private const int MacBytes = 16;
    private const int CompactMacBytes = 12;

    // The MAC covers the version byte, the hint and the payload, laid out as [version][hint][payload][mac]:
    // the version byte also keeps format-3 MAC inputs apart from format 2's printable text.
    private const int CompactHeaderBytes = 2;
    private const int MaxCompactBytes = CompactHeaderBytes + MaxCompactPayloadLength + CompactMacBytes;
    private static readonly int MacChars = Base64Url.GetEncodedLength(MacBytes);
    private static readonly int MinCompactChars = 1 + Base64Url.GetEncodedLength(1 + 1 + CompactMacBytes);
    private static readonly int MaxCompactChars = 1 + Base64Url.GetEncodedLength(MaxCompactBytes - 1);
    private static readonly SearchValues<char> Base64UrlChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private readonly IDataProtector _dataProtector;
    private readonly CookieKeyRing _keyRing;
    private readonly byte[] _purpose;
    private readonly ConcurrentDictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public CookieProtector(IDataProtector dataProtector, CookieKeyRing keyRing, string purpose)
    {
        _dataProtector = dataProtector.CreateProtector(purpose);
        _keyRing = keyRing;
        _purpose = Encoding.ASCII.GetBytes("FirstParty.AspNetCore.Cookies." + purpose);
    }

    /// <summary>The longest value <see cref="Protect(ReadOnlySpan{char}, Span{char})"/> writes.</summary>
    public const int MaxValueLength = 1024;

    /// <summary>Returns the cookie value for an ASCII payload.</summary>
    public string Protect(string payload)
    {
        Span<char> value = stackalloc char[MaxValueLength];
        return value[..Protect(payload, value)].ToString();
    }

    /// <summary>
    /// Writes the cookie value for an ASCII payload (at most <see cref="MaxPayloadLength"/> chars)
    /// into <paramref name="destination"/> (at least <see cref="MaxValueLength"/> chars) and returns its length.
    /// </summary>
    public int Protect(ReadOnlySpan<char> payload, Span<char> destination)
    {
        if (payload.Length > MaxPayloadLength)
        {
            throw new ArgumentException($"The payload is longer than {MaxPayloadLength} characters.", nameof(payload));
        }

        if (_keyRing.Current is { } key)
        {
            return Sign(key, payload, destination);
        }

        Span<byte> plain = stackalloc byte[payload.Length];
        Encoding.ASCII.GetBytes(payload, plain);
        var protectedBytes = _dataProtector.Protect(plain.ToArray());
        destination[0] = DataProtectionVersion;
        destination[1] = '.';
        return 2 + Base64Url.EncodeToChars(protectedBytes, destination[2..]);
    }

    /// <summary>True when <paramref name="value"/> claims format 3 (and must be read with <see cref="TryUnprotectCompact"/>).</summary>
    public static bool IsCompact(ReadOnlySpan<char> value) => value.Length > 1 && value[0] == CompactVersion && value[1] != '.';

    /// <summary>
    /// Writes a format-3 value for <paramref name="value"/>'s binary payload into
    /// <paramref name="destination"/> (at least <see cref="MaxValueLength"/> chars). False when the
    /// key ring cannot sign or the payload has no compact form; the caller then writes the text formats.
    /// </summary>
    public bool TryProtectCompact<T>(T value, Span<char> destination, out int written)
        where T : class, ICookiePayload<T>
    {
        written = 0;
        if (_keyRing.Current is not { } key)
        {
            return false;
        }

        Span<byte> buffer = stackalloc byte[MaxCompactBytes];
        if (!value.TryWrite(buffer[CompactHeaderBytes..^CompactMacBytes], out var payloadLength))
        {
            return false;
        }

        buffer[0] = (byte)CompactVersion;
        buffer[1] = key.Hint;
        var signed = CompactHeaderBytes + payloadLength;
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(GetKey(key), buffer[..signed], mac);
        mac[..CompactMacBytes].CopyTo(buffer[signed..]);

        destination[0] = CompactVersion;
        written = 1 + Base64Url.EncodeToChars(buffer[1..(signed + CompactMacBytes)], destination[1..]);
        return true;
    }

    /// <summary>
    /// Verifies a format-3 value and copies its binary payload into <paramref name="payload"/> (at least
    /// <see cref="MaxCompactPayloadLength"/> bytes). Every ring key whose id starts with the value's hint
    /// is tried. Never throws.
    /// </summary>
    public CookieReadStatus TryUnprotectCompact(ReadOnlySpan<char> value, Span<byte> payload, out int written)
    {
        written = 0;
        if (!IsCompact(value) || value.Length < MinCompactChars || value.Length > MaxCompactChars)
        {
            return CookieReadStatus.Malformed;
        }

        var encoded = value[1..];
        if (encoded.ContainsAnyExcept(Base64UrlChars) || encoded.Length % 4 == 1)
        {
            return CookieReadStatus.Malformed;
        }

        // [version][hint][payload][mac]: decode after the version byte so the MAC input is contiguous.
        Span<byte> buffer = stackalloc byte[MaxCompactBytes];
        if (Base64Url.DecodeFromChars(encoded, buffer[1..], out var consumed, out var decoded) != OperationStatus.Done
            || consumed != encoded.Length
            || !HasCanonicalTail(encoded, decoded))
        {
            return CookieReadStatus.Malformed;
        }

        buffer[0] = (byte)CompactVersion;
        var signed = 1 + decoded - CompactMacBytes;
        var claimed = buffer.Slice(signed, CompactMacBytes);
        var hint = buffer[1];

        var entries = _keyRing.Entries;
        if (!VerifiesUnderAny(entries, hint, buffer[..signed], claimed))
        {
            // A key another instance started using, not loaded here yet (at most one reload per 30 s).
            if (_keyRing.ReloadForUnknownKey(entries) is not { } reloaded || !VerifiesUnderAny(reloaded, hint, buffer[..signed], claimed))
            {
                return CookieReadStatus.Forged;
            }
        }

        buffer[CompactHeaderBytes..signed].CopyTo(payload);
        written = signed - CompactHeaderBytes;
        return CookieReadStatus.Valid;
    }

    /// <summary>
    /// Verifies a cookie value and copies its payload into <paramref name="payload"/>
    /// (at least <see cref="MaxPayloadLength"/> chars). Never throws.
    /// </summary>
    public CookieReadStatus TryUnprotect(ReadOnlySpan<char> value, Span<char> payload, out int written)
    {
        written = 0;
        if (value.Length < 3 || value[1] != '.')
        {
            return CookieReadStatus.Malformed;
        }

        return value[0] switch
        {
            SignedVersion => Verify(value[2..], payload, out written),
            DataProtectionVersion => Unprotect(value[2..], payload, out written),
            _ => char.IsAsciiDigit(value[0]) ? CookieReadStatus.UnsupportedVersion : CookieReadStatus.Malformed,
        };
    }

    private int Sign(CookieKeyRing.Entry key, ReadOnlySpan<char> payload, Span<char> destination)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(GetKey(key), payload, mac);
        destination[0] = SignedVersion;
        destination[1] = '.';
        key.Id.CopyTo(destination[2..]);
        var position = 2 + CookieKeyRing.IdLength;
        destination[position++] = '.';
        position += Base64Url.EncodeToChars(mac[..MacBytes], destination[position..]);
        destination[position++] = '.';
        payload.CopyTo(destination[position..]);
        return position + payload.Length;
    }

    private CookieReadStatus Verify(ReadOnlySpan<char> value, Span<char> payload, out int written)
    {
        written = 0;
        var payloadStart = CookieKeyRing.IdLength + 1 + MacChars + 1;
        if (value.Length <= payloadStart || value[CookieKeyRing.IdLength] != '.' || value[payloadStart - 1] != '.')
        {
            return CookieReadStatus.Malformed;
        }

        var text = value[payloadStart..];
        if (text.Length > MaxPayloadLength || !Ascii.IsValid(text))
        {
            return CookieReadStatus.Malformed;
        }

        Span<byte> claimed = stackalloc byte[MacBytes];
        if (Base64Url.DecodeFromChars(value.Slice(CookieKeyRing.IdLength + 1, MacChars), claimed, out _, out var macLength) != OperationStatus.Done
            || macLength != MacBytes)
        {
            return CookieReadStatus.Malformed;
        }

        if (_keyRing.Find(value[..CookieKeyRing.IdLength]) is not { } key)
        {
            return CookieReadStatus.Forged;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(GetKey(key), text, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected[..MacBytes], claimed))
        {
            return CookieReadStatus.Forged;
        }

        text.CopyTo(payload);
        written = text.Length;
        return CookieReadStatus.Valid;
    }

    private CookieReadStatus Unprotect(ReadOnlySpan<char> encoded, Span<char> payload, out int written)
    {
        written = 0;
        if (!Base64Url.IsValid(encoded, out var length) || length == 0)
        {
            return CookieReadStatus.Malformed;
        }

        var protectedBytes = new byte[length];
        if (Base64Url.DecodeFromChars(encoded, protectedBytes, out _, out var decoded) != OperationStatus.Done || decoded != length)
        {
            return CookieReadStatus.Malformed;
        }

        byte[] plain;
        try
        {
            plain = _dataProtector.Unprotect(protectedBytes);
        }
        catch (CryptographicException)
        {
            return CookieReadStatus.Forged;
        }

        if (plain.Length > MaxPayloadLength || !Ascii.IsValid(plain))
        {
            return CookieReadStatus.Malformed;
        }

        Ascii.ToUtf16(plain, payload, out written);
        return CookieReadStatus.Valid;
    }

    private bool VerifiesUnderAny(IReadOnlyList<CookieKeyRing.Entry> entries, byte hint, ReadOnlySpan<byte> signed, ReadOnlySpan<byte> claimed)
    {
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Hint != hint)
            {
                continue;
            }

            ComputeMac(GetKey(entry), signed, expected);
            if (CryptographicOperations.FixedTimeEquals(expected[..CompactMacBytes], claimed))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The last base64 character of a value whose length is not a multiple of 4 carries unused low
    /// bits; they must be zero, or several spellings would decode to one (validly signed) value.
    /// </summary>
    private static bool HasCanonicalTail(ReadOnlySpan<char> encoded, int decoded)
    {
        var unusedBits = (decoded % 3) switch
        {
            1 => 4,
            2 => 2,
            _ => 0,
        };

        return unusedBits == 0 || (SextetOf(encoded[^1]) & ((1 << unusedBits) - 1)) == 0;
    }

    private static int SextetOf(char c) => c switch
    {
        >= 'A' and <= 'Z' => c - 'A',
        >= 'a' and <= 'z' => c - 'a' + 26,
        >= '0' and <= '9' => c - '0' + 52,
        '-' => 62,
        _ => 63,
    };

    private byte[] GetKey(CookieKeyRing.Entry key)
        => _keys.GetOrAdd(key.Id, static (_, state) => HKDF.DeriveKey(HashAlgorithmName.SHA256, state.Secret, 32, info: state.Purpose), (key.Secret, Purpose: _purpose));

    private static void ComputeMac(byte[] key, ReadOnlySpan<char> payload, Span<byte> mac)
    {
        Span<byte> bytes = stackalloc byte[MaxPayloadLength];
        var length = Encoding.ASCII.GetBytes(payload, bytes);
        ComputeMac(key, bytes[..length], mac);
    }

    private static void ComputeMac(byte[] key, ReadOnlySpan<byte> data, Span<byte> mac)
    {
        var hmac = KeyedHmacs.Get(key);
        hmac.AppendData(data);
        hmac.GetHashAndReset(mac);
    }

    /// <summary>
    /// Keyed HMAC contexts reused per thread: a one-shot HMAC sets the key up on every call, which
    /// costs more than hashing a cookie payload. A few slots cover the visitor and session keys.
    /// </summary>
    private sealed class KeyedHmacs
    {
        private const int Slots = 4;

        [ThreadStatic]
        private static KeyedHmacs? s_current;

        private readonly byte[]?[] _keys = new byte[Slots][];
        private readonly IncrementalHash?[] _hmacs = new IncrementalHash[Slots];
        private int _next;

        public static IncrementalHash Get(byte[] key)
        {
            var cache = s_current ??= new KeyedHmacs();
            for (var i = 0; i < Slots; i++)
            {
                if (ReferenceEquals(cache._keys[i], key))
                {
                    return cache._hmacs[i]!;
                }
            }

            var slot = cache._next++ % Slots;
            cache._hmacs[slot]?.Dispose();
            cache._keys[slot] = key;
            return cache._hmacs[slot] = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        }
    }
}
