using FirstParty.AspNetCore.Cookies;
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
internal sealed class ProviderMirrors(IEnumerable<ProviderProfile> profiles, CookieDomainResolver domains, TimeProvider time)
{
    private static readonly Func<object, Task> WriteCallback = static state =>
    {
        var (mirrors, context, missingOnly) = ((ProviderMirrors, HttpContext, bool))state;
        mirrors.Write(context, missingOnly);
        return Task.CompletedTask;
    };

    private readonly ProviderProfile[] _profiles = [.. profiles];

    public bool Enabled => _profiles.Length > 0;

    public IReadOnlyList<ProviderProfile> Profiles => _profiles;

    /// <summary>
    /// Writes the cookies when the response starts, once per request: the request's consent state
    /// remembers that it is scheduled (the middleware schedules page navigations, a decision any
    /// other request), which costs nothing, unlike a flag in <c>HttpContext.Items</c>.
    /// </summary>
    public void Schedule(HttpContext context, Consent.ConsentFeature consent, bool missingOnly)
    {
        if (_profiles.Length == 0 || consent.ProvidersScheduled)
        {
            return;
        }

        consent.ProvidersScheduled = true;
        context.Response.OnStarting(WriteCallback, (this, context, missingOnly));
    }

    /// <summary>The profile's cookie context for this request, when the visitor exists and the category is granted.</summary>
    public ProviderCookieContext? ContextFor(HttpContext context, ProviderProfile profile)
        => context.Features.Get<IVisitorFeature>() is { } visitor && context.Features.Get<IConsentFeature>() is { } consent && consent.IsGranted(profile.Category)
            ? new ProviderCookieContext(context, visitor, time.GetUtcNow(), domains)
            : null;

    private void Write(HttpContext context, bool missingOnly)
    {
        // Existing cookies are refreshed together with the visitor cookie (when it is new or its
        // refresh is due, at most daily), so most pages carry no Set-Cookie; a purged one is
        // re-created on the next page whatever the cadence.
        if (context.Features.Get<IVisitorFeature>() is not { } visitor || context.Features.Get<IConsentFeature>() is not { } consent)
        {
            return;
        }

        var refresh = !missingOnly && visitor is Visitors.VisitorFeature { WriteVisitor: true };
        var cookies = new ProviderCookieContext(context, visitor, time.GetUtcNow(), domains);
        foreach (var profile in _profiles)
        {
            if (consent.IsGranted(profile.Category))
            {
                profile.Write(cookies, missingOnly: !refresh);
            }
        }
    }
}
