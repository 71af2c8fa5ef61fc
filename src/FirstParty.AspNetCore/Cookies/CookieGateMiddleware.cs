using FirstParty.AspNetCore.Consent;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// The first middleware of the pipeline: it registers the cookie gate's last pass before anything
/// else can register an <c>OnStarting</c> callback. Callbacks run in reverse order of registration,
/// so the last pass runs after every callback the app and its middleware register, and sees every
/// <c>Set-Cookie</c> header the response will carry.
/// </summary>
internal sealed class CookieGateMiddleware
{
    private readonly RequestDelegate _next;
    private readonly CookieGate _gate;
    private readonly ConsentManager _consent;
    private readonly Func<object, Task> _lastPass;

    public CookieGateMiddleware(RequestDelegate next, CookieGate gate, ConsentManager consent)
    {
        _next = next;
        _gate = gate;
        _consent = consent;
        _lastPass = LastPass;
    }

    public Task InvokeAsync(HttpContext context)
    {
        // The context is the callback's state: no allocation per request beyond the registration.
        context.Response.OnStarting(_lastPass, context);
        return _next(context);
    }

    private Task LastPass(object state)
    {
        var context = (HttpContext)state;
        if (context.Features.Get<IConsentFeature>() is { } consent)
        {
            _gate.RunLastPass(context, consent);
        }
        else if (context.Response.Headers.SetCookie.Count > 0)
        {
            // The response starts before UseFirstParty() resolved consent (a middleware ahead of it
            // answered, or the app never calls it): decide with the consent the request carries, so
            // nothing that is not granted slips through. Refused cookies the browser holds are left to
            // the next response that passes UseFirstParty().
            var resolved = _consent.Resolve(context);
            if (_gate.CouldRefuse(resolved))
            {
                _gate.FilterSetCookieHeaders(context, resolved);
            }
        }

        return Task.CompletedTask;
    }
}
