using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Snowplow's network user id cookie (<c>sp</c>), owned by this site because the collector runs on
/// it: a UUID v4, HttpOnly, on the registrable domain, re-set with a fresh lifetime on every hit
/// consent allows (as Snowplow's collector does), never without consent, and expired when the
/// tracker asks for server anonymisation. It is written through <see cref="ResponseCookieWriter"/>,
/// so the cookie gate judges it like any other declared cookie.
/// </summary>
internal sealed class SnowplowNetworkCookie(IOptions<FirstPartyOptions> options, ResponseCookieWriter writer)
{
    private readonly SnowplowCollectorOptions _options = options.Value.Collector.Snowplow;

    public string Name => _options.CookieName;

    /// <summary>The request's network user id when it holds a UUID, else null (a new one is minted when one is owed).</summary>
    public static string? Read(HttpContext context, string name)
        => context.Request.Cookies[name] is { } value && SnowplowPayload.IsUuid(value) ? value : null;

    /// <summary>Re-sets the cookie with the visitor's id (the existing one, or a new UUID v4) and returns that id.</summary>
    public string Set(HttpContext context, string? existing, DateTimeOffset now)
    {
        var id = existing ?? RandomIds.NewUuid();
        writer.Append(context, Name, id, (long)_options.CookieLifetime.TotalSeconds, now, httpOnly: true);
        return id;
    }

    /// <summary>Expires the cookie where it is set (host-only and on the cookie domain), when the browser sent one.</summary>
    public void Expire(HttpContext context)
    {
        if (context.Request.Cookies.ContainsKey(Name))
        {
            writer.Delete(context, Name);
        }
    }
}
