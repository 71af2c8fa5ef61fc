using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// The Snowplow browser tracker's cookies: <c>{prefix}id.{hash}</c> with the full ten-field value
/// (<c>{duid}.{created}.{visitCount}.{now}.{lastVisit}.{sessionId}.{previousSessionId}.{firstEventId}.{firstEventMs}.{eventIndex}</c>)
/// and <c>{prefix}ses.{hash}</c> (<c>*</c>) beside a minted id, so the tracker continues the server's
/// session instead of rotating into a bogus one. The hash is the first four hex digits of SHA-1 over
/// the cookie domain (configured verbatim, else the registrable domain, else the host) and the path.
/// </summary>
internal sealed class SnowplowProfile(SnowplowProfileOptions options) : ProviderProfile
{
    private const string Path = "/";
    private const int MaxCachedHosts = 64;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string Id, string Session, string? Domain)> _names = new(StringComparer.OrdinalIgnoreCase);

    public override string ServiceKey => "snowplow";

    public override string ProviderName => "Snowplow";

    public override string Category => options.Category;

    /// <summary>What the server writes: the tracker's lifetime (two years by default) within the browsers' cap, for the cookie and the cookie table alike.</summary>
    private TimeSpan Lifetime => Capped(options.Lifetime);

    public override IEnumerable<CookieDeclaration> Declarations =>
    [
        new() { Name = options.CookieNamePrefix + "id.*", Domain = options.CookieDomain, Lifetime = Lifetime, Purpose = "The analytics visitor id and visit count (Snowplow), kept by this site's server." },
        new() { Name = options.CookieNamePrefix + "ses.*", Domain = options.CookieDomain, Lifetime = Capped(options.SessionTimeout), Purpose = "Marks the current analytics visit (Snowplow)." },

        // The collector's own id, set on this site's domain when the collector runs under it (a year by default).
        new() { Name = "sp", Lifetime = TimeSpan.FromDays(365), Purpose = "The analytics network id (Snowplow collector), when the collector runs on this site's domain." },
        new() { Name = "_sp_root_domain_test_*", Purpose = "Finds the site's cookie domain (Snowplow)." },
    ];

    /// <summary>
    /// The tracker's queue of unsent events (<c>snowplowOutQueue_{namespace}</c>), its tab id in
    /// sessionStorage, and its id and session state when <c>stateStorageStrategy</c> keeps them in
    /// localStorage (with <c>.expires</c> companions).
    /// </summary>
    public override IEnumerable<string> StorageKeys =>
    [
        "snowplowOutQueue_*",
        "_sp_tab_id",
        options.CookieNamePrefix + "id.*",
        options.CookieNamePrefix + "ses.*",
    ];

    /// <summary>The first four lowercase hex digits of SHA-1 over <c>{domain}{path}</c>, as the tracker computes them.</summary>
    internal static string Hash(string domainPart, string path = Path)
    {
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // Not security: the tracker names its cookies with SHA-1, so this must match it.
        SHA1.HashData(Encoding.UTF8.GetBytes(domainPart + path), digest);
#pragma warning restore CA5350
        return Convert.ToHexStringLower(digest[..2]);
    }

    public override bool Write(ProviderCookieContext context, bool missingOnly)
    {
        var (idName, sessionName, domain) = Names(context);
        if (missingOnly && context.HasRequestCookie(idName, IsValid))
        {
            // The common page: the tracker's cookie is there and nothing is due.
            return false;
        }

        var existing = context.RequestCookie(idName);
        if (existing is not null && IsValid(existing))
        {
            if (!missingOnly)
            {
                context.Append(idName, existing, domain, Lifetime, options.Secure, options.SameSite);
            }

            return false;
        }

        context.Append(idName, Mint(context.Visitor, context.Now), domain, Lifetime, options.Secure, options.SameSite);
        context.Append(sessionName, "*", domain, options.SessionTimeout, options.Secure, options.SameSite);
        return true;
    }

    public override string ResolveId(ProviderCookieContext context)
    {
        var existing = context.RequestCookie(Names(context).Id);
        return existing is not null && IsValid(existing) ? existing[..existing.IndexOf('.', StringComparison.Ordinal)] : context.Visitor.VisitorId;
    }

    /// <summary>The cookie names and Domain for this host, computed once per host (a site has few).</summary>
    private (string Id, string Session, string? Domain) Names(ProviderCookieContext context)
    {
        // The raw Host header value: no new string per request.
        var host = context.Http.Request.Host.Value ?? string.Empty;
        if (_names.TryGetValue(host, out var names))
        {
            return names;
        }

        var (domainPart, domain) = Domain(context);
        var hash = Hash(domainPart);
        names = (options.CookieNamePrefix + "id." + hash, options.CookieNamePrefix + "ses." + hash, domain);

        // Host headers come from clients: remember a bounded number of them.
        if (_names.Count < MaxCachedHosts)
        {
            _names.TryAdd(host, names);
        }

        return names;
    }

    /// <summary>
    /// The hash input and the Domain attribute: a configured domain verbatim; else the registrable
    /// domain; a single-label host such as <c>localhost</c> is sent as its own Domain (as the tracker
    /// does); an IP address stays host-only.
    /// </summary>
    private (string DomainPart, string? Domain) Domain(ProviderCookieContext context)
    {
        if (!string.IsNullOrEmpty(options.CookieDomain))
        {
            return (options.CookieDomain, options.CookieDomain);
        }

        if (context.RegistrableDomain is { } registrable)
        {
            return (registrable, registrable);
        }

        var host = context.Host.TrimEnd('.');
        return context.HostIsAddress ? (host, null) : (host, host.Contains('.', StringComparison.Ordinal) ? null : host);
    }

    /// <summary>A new visitor's value: the server's ids, one visit so far, no events yet.</summary>
    internal static string Mint(IVisitorFeature visitor, DateTimeOffset now)
    {
        var created = visitor.FirstSeen.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var seconds = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var visits = Math.Max(1, visitor.SessionIndex).ToString(CultureInfo.InvariantCulture);
        var session = visitor.SessionId ?? visitor.VisitorId;
        return $"{visitor.VisitorId}.{created}.{visits}.{seconds}..{session}.{visitor.PreviousSessionId}...0";
    }

    /// <summary>Ten fields with a non-empty domain user id: anything else the tracker would misread, so it is re-minted.</summary>
    private static bool IsValid(ReadOnlySpan<char> value)
        => value.Count('.') == 9 && value[0] != '.';

    private static bool IsValid(string value) => IsValid(value.AsSpan());
}
