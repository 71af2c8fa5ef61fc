using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Chooses the <c>Domain</c> attribute of FirstParty's cookies: the configured domain, otherwise
/// the registrable domain of the request host, otherwise none (host-only).
/// </summary>
internal sealed class CookieDomainResolver
{
    // Hosts come from the request, so the cache is bounded: a flood of invented Host headers can
    // only make it start over.
    private const int MaxCachedHosts = 1024;

    private readonly ConcurrentDictionary<string, string> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly PublicSuffixList _list;
    private readonly string? _configuredDomain;

    public CookieDomainResolver(IOptions<FirstPartyOptions> options)
        : this(options.Value.Cookies, LoadList(options.Value.Cookies.PublicSuffixListPath))
    {
    }

    internal CookieDomainResolver(FirstPartyCookieOptions options, PublicSuffixList list)
    {
        _list = list;
        _configuredDomain = string.IsNullOrWhiteSpace(options.Domain) ? null : options.Domain.Trim().TrimStart('.').ToLowerInvariant();
        _lookup = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Returns the Domain attribute for a request host, or null for a host-only cookie.</summary>
    public string? Resolve(HostString host)
    {
        if (_configuredDomain is not null)
        {
            return _configuredDomain;
        }

        // Looked up by the host part of the raw header: HostString.Host would cut a new string
        // whenever a port is present, and this runs for every cookie a response writes.
        if (_lookup.TryGetValue(HostPart(host.Value), out var cached))
        {
            return cached.Length == 0 ? null : cached;
        }

        var name = host.Host;
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var domain = Compute(name.ToLowerInvariant());
        if (_cache.Count >= MaxCachedHosts)
        {
            _cache.Clear();
        }

        _cache[name] = domain ?? string.Empty;
        return domain;
    }

    /// <summary>The host without its port, as <see cref="HostString.Host"/> gives it (IPv6 literals keep their brackets).</summary>
    internal static ReadOnlySpan<char> HostPart(string? value)
    {
        var span = value.AsSpan();
        if (span.StartsWith('['))
        {
            var close = span.IndexOf(']');
            return close < 0 ? span : span[..(close + 1)];
        }

        // Two colons or more without brackets: an IPv6 address with no port.
        var colon = span.IndexOf(':');
        return colon < 0 || colon != span.LastIndexOf(':') ? span : span[..colon];
    }

    /// <summary>
    /// The registrable domain of a request host even when a cookie domain is configured (scripts such
    /// as Amplitude's find it themselves), or null where no Domain attribute can be set. Used by deletion only.
    /// </summary>
    public string? RegistrableDomain(HostString host)
        => _configuredDomain is null ? Resolve(host) : string.IsNullOrEmpty(host.Host) ? null : Compute(host.Host.ToLowerInvariant());

    internal string? Compute(string host)
    {
        // "example.com." is a different cookie domain from "example.com" to browsers, and they
        // reject a Domain attribute that does not domain-match the host: stay host-only.
        if (host.Length == 0 || host.EndsWith('.') || host.StartsWith('.') || host.Contains("..", StringComparison.Ordinal)
            || host.StartsWith('[') || IPAddress.TryParse(host, out _))
        {
            return null;
        }

        // Single-label hosts (localhost, intranet names) cannot carry a Domain attribute.
        if (!host.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        return _list.GetRegistrableDomain(host);
    }

    private static PublicSuffixList LoadList(string? path)
        => string.IsNullOrWhiteSpace(path) ? PublicSuffixList.Embedded : PublicSuffixList.Load(path);
}
