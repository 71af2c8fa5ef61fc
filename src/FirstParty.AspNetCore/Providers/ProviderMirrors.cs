using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Providers;

/// <summary>
/// Writes the enabled profiles' cookies when a response starts: on top-level navigations (existing
/// cookies refreshed byte for byte whenever the visitor cookie is, purged ones re-created from the
/// visitor cookie on any page) and on the
/// answer to a decision that grants them (only the missing ones, so an SDK revived on the page
/// finds the server's id before it mints its own). Nothing is written unless the visitor cookie
/// exists and the profile's category is granted; refusal deletes them through the cookie catalogue.
/// </summary>
internal sealed class ProviderMirrors(IEnumerable<ProviderProfile> profiles, CookieDomainResolver domains, TimeProvider time, FirstPartyMetrics metrics)
{
    private readonly ProviderProfile[] _profiles = [.. profiles];

    public bool Enabled => _profiles.Length > 0;

    public IReadOnlyList<ProviderProfile> Profiles => _profiles;

    /// <summary>
    /// Asks for the missing cookies on this response: the answer to a decision that grants them,
    /// on any request, so an SDK revived on the page finds the server's id before it mints its own.
    /// </summary>
    public void ScheduleMissing(HttpContext context)
    {
        if (_profiles.Length > 0)
        {
            StateOf(context).MissingRequested = true;
        }
    }

    /// <summary>This request's provider state, created on first use.</summary>
    public static ProviderRequestState StateOf(HttpContext context)
    {
        var state = context.Features.Get<ProviderRequestState>();
        if (state is null)
        {
            state = new ProviderRequestState();
            context.Features.Set(state);
        }

        return state;
    }

    /// <summary>The profile's cookie context for this request, when the visitor exists and the category is granted.</summary>
    public ProviderCookieContext? ContextFor(HttpContext context, ProviderProfile profile)
        => context.Features.Get<IVisitorFeature>() is { } visitor && context.Features.Get<IConsentFeature>() is { } consent && consent.IsGranted(profile.Category)
            ? new ProviderCookieContext(context, visitor, time.GetUtcNow(), domains)
            : null;

    /// <summary>
    /// The provider step of the response, after the visitor step: writes the cookies of the profiles
    /// whose category <paramref name="consent"/> grants, derived from the visitor. They follow the
    /// visitor: on a response that may write the visitor's cookies, existing ones are refreshed
    /// together with the visitor cookie (when it is new or its refresh is due, at most daily, so most
    /// pages carry no Set-Cookie) and purged ones are re-created whatever the cadence; on any other
    /// response, only a decision asks for them (<see cref="ScheduleMissing"/>).
    /// </summary>
    public void WriteResponse(HttpContext context, IConsentFeature consent)
    {
        if (_profiles.Length == 0 || context.Features.Get<IVisitorFeature>() is not { } visitor)
        {
            return;
        }

        bool refresh;
        bool rescue;
        if (visitor is Visitors.VisitorFeature { Writable: true } writable)
        {
            refresh = writable.WriteVisitor;

            // A known visitor granted before this request whose SDK cookie is gone: the browser
            // purged it (capped script-written cookies), and the server gives it back.
            rescue = !writable.IsNewVisitor;
        }
        else if (context.Features.Get<ProviderRequestState>() is { MissingRequested: true })
        {
            refresh = false;
            rescue = false;
        }
        else
        {
            return;
        }

        var cookies = new ProviderCookieContext(context, visitor, time.GetUtcNow(), domains);
        foreach (var profile in _profiles)
        {
            // A decision on this request asked for the cookies: first written, not rescued.
            if (consent.IsGranted(profile.Category) && profile.Write(cookies, missingOnly: !refresh) && rescue
                && context.Features.Get<ProviderRequestState>() is not { MissingRequested: true })
            {
                metrics.CookieRescued(profile.ServiceKey, context.Request);
            }
        }
    }
}
