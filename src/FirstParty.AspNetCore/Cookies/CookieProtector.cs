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
/// <item><c>2.{keyId}.{mac}.{payload}</c>: the payload in clear, with a 128-bit HMAC-SHA256 under a
/// secret derived from the Data Protection key <c>keyId</c> (<see cref="CookieKeyRing"/>). The default.</item>
/// <item><c>1.{base64url}</c>: the payload protected by Data Protection itself, used when the key ring
/// cannot provide signing secrets.</item>
/// </list>
/// </summary>
internal sealed class CookieProtector
{
    /// <summary>The Data Protection purpose every FirstParty cookie protector derives from.</summary>
    public const string RootPurpose = "FirstParty.AspNetCore.Cookies";

    public const int MaxPayloadLength = 512;

    private const char DataProtectionVersion = '1';
    private const char SignedVersion = '2';
    private const int MacBytes = 16;
    private static readonly int MacChars = Base64Url.GetEncodedLength(MacBytes);

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

    private byte[] GetKey(CookieKeyRing.Entry key)
        => _keys.GetOrAdd(key.Id, static (_, state) => HKDF.DeriveKey(HashAlgorithmName.SHA256, state.Secret, 32, info: state.Purpose), (key.Secret, Purpose: _purpose));

    private static void ComputeMac(byte[] key, ReadOnlySpan<char> payload, Span<byte> mac)
    {
        Span<byte> bytes = stackalloc byte[MaxPayloadLength];
        var length = Encoding.ASCII.GetBytes(payload, bytes);
        var hmac = KeyedHmacs.Get(key);
        hmac.AppendData(bytes[..length]);
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
