using System.Collections.Concurrent;
using Microsoft.AspNetCore.DataProtection;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Reads and writes typed, integrity-protected cookie values (formats in <see cref="CookieProtector"/>):
/// writes format 3 whenever the key ring can sign, and reads formats 1, 2 and 3, so a value in an
/// older format is rewritten in format 3 the next time it is refreshed.
/// A value written by page script or a sibling subdomain fails to verify and reads as absent.
/// </summary>
/// <remarks>
/// A returning browser sends the same value on every request until the value is refreshed, so
/// values that verified are remembered (bounded) and later reads cost a lookup.
/// </remarks>
internal sealed class ProtectedCookieCodec<T>
    where T : class, ICookiePayload<T>
{
    /// <summary>Browsers ignore a cookie whose name and value exceed 4096 octets (RFC 6265bis).</summary>
    public const int MaxValueLength = 4096;

    private readonly CookieProtector _protector;
    private readonly bool _writeCompact;
    private readonly int _cacheCapacity;
    private readonly ConcurrentDictionary<string, T> _verified = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, T>.AlternateLookup<ReadOnlySpan<char>> _verifiedLookup;
    private int _verifiedCount;

    /// <param name="protector">Signs and verifies the values.</param>
    /// <param name="cacheCapacity">How many verified values are remembered.</param>
    /// <param name="writeCompact">False writes format 2, which earlier releases read (FirstParty:Cookies:Format).</param>
    public ProtectedCookieCodec(CookieProtector protector, int cacheCapacity = 10_000, bool writeCompact = true)
    {
        _protector = protector;
        _writeCompact = writeCompact;
        _cacheCapacity = cacheCapacity;
        _verifiedLookup = _verified.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>A codec that protects every value with Data Protection itself (format 1).</summary>
    public ProtectedCookieCodec(IDataProtector protector, int cacheCapacity = 10_000)
        : this(new CookieProtector(protector, CookieKeyRing.None, typeof(T).Name), cacheCapacity)
    {
    }

    public CookieReadStatus TryRead(ReadOnlySpan<char> raw, out T? value)
    {
        value = null;
        if (raw.Length > MaxValueLength)
        {
            return CookieReadStatus.Oversized;
        }

        if (_verifiedLookup.TryGetValue(raw, out value))
        {
            return CookieReadStatus.Valid;
        }

        var status = CookieProtector.IsCompact(raw) ? ReadCompact(raw, out value) : ReadText(raw, out value);
        if (status != CookieReadStatus.Valid)
        {
            return status;
        }

        Remember(raw.ToString(), value!);
        return CookieReadStatus.Valid;
    }

    private CookieReadStatus ReadCompact(ReadOnlySpan<char> raw, out T? value)
    {
        value = null;
        Span<byte> payload = stackalloc byte[CookieProtector.MaxCompactPayloadLength];
        var status = _protector.TryUnprotectCompact(raw, payload, out var written);
        return status != CookieReadStatus.Valid ? status
            : T.TryRead(payload[..written], out value) ? CookieReadStatus.Valid
            : CookieReadStatus.Malformed;
    }

    private CookieReadStatus ReadText(ReadOnlySpan<char> raw, out T? value)
    {
        value = null;
        Span<char> payload = stackalloc char[CookieProtector.MaxPayloadLength];
        var status = _protector.TryUnprotect(raw, payload, out var written);
        return status != CookieReadStatus.Valid ? status
            : T.TryParse(payload[..written], out value) ? CookieReadStatus.Valid
            : CookieReadStatus.Malformed;
    }

    public string Protect(T value)
    {
        Span<char> raw = stackalloc char[CookieProtector.MaxValueLength];
        return raw[..Protect(value, raw)].ToString();
    }

    /// <summary>
    /// Writes the protected value into <paramref name="destination"/> (at least
    /// <see cref="CookieProtector.MaxValueLength"/> chars) and returns its length. Written values are
    /// not remembered: most are read back once, and remembering every write churns the table.
    /// </summary>
    public int Protect(T value, Span<char> destination)
    {
        if (_writeCompact && _protector.TryProtectCompact(value, destination, out var length))
        {
            return length;
        }

        Span<char> payload = stackalloc char[CookieProtector.MaxPayloadLength];
        if (!value.TryFormat(payload, out var written))
        {
            throw new InvalidOperationException($"The {typeof(T).Name} payload is longer than {CookieProtector.MaxPayloadLength} characters.");
        }

        return _protector.Protect(payload[..written], destination);
    }

    private void Remember(string raw, T value)
    {
        if (_cacheCapacity == 0)
        {
            return;
        }

        if (Interlocked.Increment(ref _verifiedCount) > _cacheCapacity)
        {
            // Start over rather than track recency: a full cache means a burst of new values, and
            // the next request of each live browser re-verifies in about a microsecond.
            _verified.Clear();
            Interlocked.Exchange(ref _verifiedCount, 1);
        }

        _verified[raw] = value;
    }
}
