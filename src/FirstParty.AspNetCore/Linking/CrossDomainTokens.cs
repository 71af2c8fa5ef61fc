using FirstParty.AspNetCore.Internal;
using System.Buffers.Text;
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
/// is accepted once (see <see cref="UsedLinkTokens"/>), within its lifetime, on the host it was made
/// for, from a configured sister.
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
    private readonly UsedLinkTokens _used;

    public CrossDomainTokens(IOptions<FirstPartyOptions> options, IDataProtectionProvider dataProtection, TimeProvider time, UsedLinkTokens used)
    {
        _used = used;
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
    public async ValueTask<(string? VisitorId, string? Reason)> ValidateAsync(string? token, string requestHost)
    {
        var (visitorId, reason, nonce, expires) = Check(token, requestHost);
        if (visitorId is null)
        {
            return (null, reason);
        }

        // Once only: a link copied from the address bar or a log must not hand out the id again.
        return await _used.TryUseAsync(nonce!, expires).ConfigureAwait(false) ? (visitorId, null) : (null, "replayed");
    }

    private (string? VisitorId, string? Reason, string? Nonce, DateTimeOffset Expires) Check(string? token, string requestHost)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1024)
        {
            return (null, "malformed", null, default);
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
                    return (null, "malformed", null, default);
                }

                payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
                var mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
                if (!CryptographicOperations.FixedTimeEquals(mac, HMACSHA256.HashData(_key, payload)))
                {
                    return (null, "forged", null, default);
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return (null, "forged", null, default);
        }

        var fields = Encoding.UTF8.GetString(payload).Split('|');
        if (fields.Length != 6 || fields[0] != Version || !RandomIds.IsLowercaseUuid(fields[1])
            || !long.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var issued))
        {
            return (null, "malformed", null, default);
        }

        if (!IsSister(fields[2]))
        {
            return (null, "unknown-domain", null, default);
        }

        if (!string.Equals(fields[3], Normalize(requestHost), StringComparison.OrdinalIgnoreCase))
        {
            return (null, "wrong-host", null, default);
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var age = now - issued;
        if (age < -30 || age > (long)_options.Lifetime.TotalSeconds)
        {
            return (null, "expired", null, default);
        }

        // Ages are whole seconds: the last second of the lifetime is still accepted, so the token
        // stops being valid (and its used-entry may go) one second after issued + lifetime.
        return (fields[1], null, fields[5], DateTimeOffset.FromUnixTimeSeconds(issued + (long)_options.Lifetime.TotalSeconds + 1));
    }

    private static string Normalize(string host) => host.Trim().TrimEnd('.').ToLowerInvariant();
}
