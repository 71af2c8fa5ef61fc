using FirstParty.AspNetCore.Internal;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Linking;

/// <summary>
/// Signs and checks cross-domain link parameters: <c>1|{visitorId}|{from}|{to}|{issued}|{nonce}</c>,
/// protected with Data Protection (a shared key ring) or an HMAC-SHA256 under a shared key. A link
/// is accepted once, within its lifetime, on the host it was made for, from a configured sister.
/// </summary>
internal sealed class CrossDomainTokens
{
    internal const string Purpose = "FirstParty.Linking.v1";
    private const string Version = "1";

    private readonly CrossDomainLinkingOptions _options;
    private readonly IDataProtector _protector;
    private readonly byte[]? _key;
    private readonly TimeProvider _time;
    private readonly HashSet<string> _domains;
    private readonly ConcurrentDictionary<string, long> _used = new(StringComparer.Ordinal);

    public CrossDomainTokens(IOptions<FirstPartyOptions> options, IDataProtectionProvider dataProtection, TimeProvider time)
    {
        _options = options.Value.Linking;
        _protector = dataProtection.CreateProtector(Purpose);
        _key = _options.SharedKey is { } key ? Convert.FromBase64String(key) : null;
        _time = time;
        _domains = _options.Domains.Select(Normalize).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    public bool Enabled => _domains.Count > 0;

    public string ParameterName => _options.ParameterName;

    /// <summary>True when <paramref name="host"/> is a configured sister site.</summary>
    public bool IsSister(string host) => _domains.Contains(Normalize(host));

    /// <summary>An absolute http(s) URL on a configured sister site; anything else is not a link target.</summary>
    public bool TryGetSisterUrl(string? url, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? target)
        => Uri.TryCreate(url, UriKind.Absolute, out target) && target.Scheme is "https" or "http" && IsSister(target.Host);

    public string Create(string visitorId, string fromHost, string toHost)
    {
        var nonce = RandomIds.NewUuid();
        var issued = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(string.Join('|', Version, visitorId, Normalize(fromHost), Normalize(toHost), issued, nonce));
        if (_key is null)
        {
            return Base64Url.EncodeToString(_protector.Protect(payload));
        }

        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload));
    }

    /// <summary>Checks a link parameter; on success returns the visitor id, else the reason it was refused.</summary>
    public (string? VisitorId, string? Reason) Validate(string? token, string requestHost)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return (null, "malformed");
        }

        byte[] payload;
        try
        {
            if (_key is null)
            {
                payload = _protector.Unprotect(Base64Url.DecodeFromChars(token));
            }
            else
            {
                var dot = token.IndexOf('.', StringComparison.Ordinal);
                if (dot < 0)
                {
                    return (null, "malformed");
                }

                payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
                var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
                if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
                {
                    return (null, "forged");
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return (null, "forged");
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        if (fields.Length != 6 || fields[0] != Version || !RandomIds.IsLowercaseUuid(fields[1])
            || !long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return (null, "malformed");
        }

        if (!IsSister(fields[2]))
        {
            return (null, "unknown-domain");
        }

        if (!string.Equals(fields[3], Normalize(requestHost), StringComparison.OrdinalIgnoreCase))
        {
            return (null, "wrong-host");
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var age = now - issued;
        if (age < -30 || age > (long)_options.Lifetime.TotalSeconds)
        {
            return (null, "expired");
        }

        // Once only: a link copied from the address bar or a log must not hand out the id again.
        Sweep(now);
        if (!_used.TryAdd(fields[5], issued + (long)_options.Lifetime.TotalSeconds))
        {
            return (null, "replayed");
        }

        return (fields[1], null);
    }

    private void Sweep(long now)
    {
        if (_used.Count < 1024)
        {
            return;
        }

        foreach (var (nonce, expires) in _used)
        {
            if (expires < now)
            {
                _used.TryRemove(nonce, out _);
            }
        }
    }

    private static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
