using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// GA4's <c>_ga</c> = <c>GA1.1.{rand}.{seconds}</c>: the client id <c>{rand}.{seconds}</c> derived
/// deterministically from the visitor id and first-seen time, so the same visitor always gets the
/// same client id, even after the cookie is purged. Only <c>_ga</c> is written, never the session
/// cookie <c>_ga_{container}</c>. Sites should set <c>cookie_update: false</c> in gtag.
/// </summary>
internal sealed class GoogleAnalyticsProfile(GoogleAnalyticsProfileOptions options) : ProviderProfile
{
    internal const string CookieName = "_ga";
    private const string SameSite = "Lax";

    public override string ServiceKey => "google-analytics";

    public override string ProviderName => "Google";

    public override string Category => options.Category;

    /// <summary>What the server writes, for the cookie and the cookie table alike.</summary>
    private TimeSpan Lifetime => Capped(options.Lifetime);

    public override IEnumerable<CookieDeclaration> Declarations =>
    [
        new() { Name = CookieName, Lifetime = Lifetime, Purpose = "The analytics client id (Google Analytics), kept by this site's server." },
        new() { Name = "_ga_*", Lifetime = Lifetime, Purpose = "The analytics session state (Google Analytics)." },
    ];

    public override bool Write(ProviderCookieContext context, bool missingOnly)
    {
        if (missingOnly && context.HasRequestCookie(CookieName, static v => v.StartsWith("GA") && v.Count('.') == 3))
        {
            return false;
        }

        var domain = context.RegistrableDomain;
        var existing = context.RequestCookie(CookieName);
        if (existing is not null && ClientId(existing) is not null)
        {
            if (!missingOnly)
            {
                context.Append(CookieName, existing, domain, Lifetime, options.Secure, SameSite);
            }

            return false;
        }

        context.Append(CookieName, "GA1.1." + DerivedClientId(context.Visitor), domain, Lifetime, options.Secure, SameSite);
        return true;
    }

    public override string ResolveId(ProviderCookieContext context)
        => context.RequestCookie(CookieName) is { } existing && ClientId(existing) is { } id ? id : DerivedClientId(context.Visitor);

    /// <summary><c>{rand}.{first seen seconds}</c>, rand in 1..2^31-1 from SHA-256 of the visitor id.</summary>
    internal static string DerivedClientId(IVisitorFeature visitor)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        var id = visitor.VisitorId;
        Span<byte> utf8 = id.Length <= 128 ? stackalloc byte[id.Length * 3] : new byte[Encoding.UTF8.GetByteCount(id)];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(id, utf8)], digest);
        var random = (BinaryPrimitives.ReadUInt32BigEndian(digest) % int.MaxValue) + 1;
        return string.Create(CultureInfo.InvariantCulture, $"{random}.{visitor.FirstSeen.ToUnixTimeSeconds()}");
    }

    /// <summary>The client id of a <c>GA1.{n}.{rand}.{seconds}</c> value; null for anything else.</summary>
    internal static string? ClientId(string value)
    {
        var parts = value.Split('.');
        return parts.Length == 4 && parts[0].StartsWith("GA", StringComparison.Ordinal)
            && ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? parts[2] + "." + parts[3]
            : null;
    }
}
