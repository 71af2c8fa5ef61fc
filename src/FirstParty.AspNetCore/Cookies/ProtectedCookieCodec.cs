using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Writes and reads integrity-protected cookie values: <c>1.{base64url(protected payload)}</c>, where
/// <c>1</c> is the format version and the payload is protected by ASP.NET Core Data Protection, so a
/// value written by page script or a sibling subdomain fails to read, and a web farm that shares its
/// key ring shares cookies.
/// </summary>
/// <remarks>
/// A returning browser sends the same value on every request until the value is refreshed, so
/// values that passed Data Protection are remembered (bounded) and later reads cost a lookup.
/// </remarks>
internal sealed class ProtectedCookieCodec<T>
    where T : class, ICookiePayload<T>
{
    /// <summary>Browsers ignore a cookie whose name and value exceed 4096 octets (RFC 6265bis).</summary>
    public const int MaxValueLength = 4096;

    private const char FormatVersion = '1';
    private const int MaxPayloadLength = 512;

    private readonly IDataProtector _protector;
    private readonly int _cacheCapacity;
    private readonly ConcurrentDictionary<string, T> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _verifiedLookup;
    private int _verifiedCount;

    public ProtectedCookieCodec(IDataProtector protector, int cacheCapacity = 10_000)
    {
        _protector = protector;
        _cacheCapacity = cacheCapacity;
        _verifiedLookup = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public CookieReadStatus TryRead(ReadOnlySpan<char> raw, out T? value)
    {
        value = null;
        if (raw.Length > MaxValueLength)
        {
            return CookieReadStatus.Oversized;
        }

        if (raw.Length < 3 || raw[1] != '.')
        {
            return CookieReadStatus.Malformed;
        }

        if (raw[0] != FormatVersion)
        {
            return char.IsAsciiDigit(raw[0]) ? CookieReadStatus.UnsupportedVersion : CookieReadStatus.Malformed;
        }

        if (_verifiedLookup.TryGetValue(raw, out value))
        {
            return CookieReadStatus.Valid;
        }

        var status = Unprotect(raw[2..], out value);
        if (status == CookieReadStatus.Valid)
        {
            Remember(raw.ToString(), value!);
        }

        return status;
    }

    public string Protect(T value)
    {
        var payload = Encoding.ASCII.GetBytes(value.Format());
        var protectedBytes = _protector.Protect(payload);
        var encodedLength = Base64Url.GetEncodedLength(protectedBytes.Length);
        var raw = string.Create(encodedLength + 2, protectedBytes, static (span, bytes) =>
        {
            span[0] = FormatVersion;
            span[1] = '.';
            Base64Url.EncodeToChars(bytes, span[2..]);
        });
        Remember(raw, value);
        return raw;
    }

    private CookieReadStatus Unprotect(ReadOnlySpan<char> encoded, out T? value)
    {
        value = null;
        if (!Base64Url.IsValid(encoded, out var length) || length == 0)
        {
            return CookieReadStatus.Malformed;
        }

        var protectedBytes = new byte[length];
        if (Base64Url.DecodeFromChars(encoded, protectedBytes, out _, out var written) != OperationStatus.Done || written != length)
        {
            return CookieReadStatus.Malformed;
        }

        byte[] payload;
        try
        {
            payload = _protector.Unprotect(protectedBytes);
        }
        catch (CryptographicException)
        {
            return CookieReadStatus.Forged;
        }

        if (payload.Length > MaxPayloadLength || !Ascii.IsValid(payload))
        {
            return CookieReadStatus.Malformed;
        }

        Span<char> text = stackalloc char[payload.Length];
        Ascii.ToUtf16(payload, text, out _);
        return T.TryParse(text, out value) ? CookieReadStatus.Valid : CookieReadStatus.Malformed;
    }

    private void Remember(string raw, T value)
    {
        if (Interlocked.Increment(ref _verifiedCount) > _cacheCapacity)
        {
            // Start over rather than track recency: a full cache means a burst of new values, and
            // the next request of each live browser re-verifies in a few microseconds.
            _verified.Clear();
            Interlocked.Exchange(ref _verifiedCount, 1);
        }

        _verified[raw] = value;
    }
}
