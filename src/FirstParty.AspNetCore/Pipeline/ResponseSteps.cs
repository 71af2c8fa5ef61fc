using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Pipeline;

/// <summary>
/// Everything FirstParty writes when a response starts, in one <c>OnStarting</c> callback that runs
/// its steps in a fixed order, each step owned by its folder:
/// <list type="number">
/// <item>the visitor and session cookies (<see cref="VisitorTracker.WriteResponse"/>): written when
/// owed, deleted when refused;</item>
/// <item>the SDK id cookies (<see cref="ProviderMirrors.WriteResponse"/>), derived from the visitor
/// that step 1 settled;</item>
/// <item>the cookie gate's last pass (<see cref="CookieGate.RunLastPass"/>): deletions of refused
/// declared cookies, then the Set-Cookie headers filtered, so it judges every cookie the steps
/// before it, the app and other middleware wrote.</item>
/// </list>
/// The callback is registered by <see cref="ResponseStepMiddleware"/> at the very start of the
/// pipeline. ASP.NET Core runs <c>OnStarting</c> callbacks in reverse order of registration, so the
/// first one registered runs last: after every callback the app and its middleware register.
/// </summary>
internal sealed class ResponseSteps
{
    private readonly VisitorTracker _visitors;
    private readonly ProviderMirrors _providers;
    private readonly CookieGate _gate;
    private readonly ConsentManager _consent;
    private readonly ILogger _logger;
    private readonly Func<object, Task> _run;
    private int _placementReported;

    public ResponseSteps(VisitorTracker visitors, ProviderMirrors providers, CookieGate gate, ConsentManager consent, ILogger<ResponseSteps> logger)
    {
        _visitors = visitors;
        _providers = providers;
        _gate = gate;
        _consent = consent;
        _logger = logger;
        _run = Run;
    }

    /// <summary>
    /// True once <see cref="ResponseStepStartupFilter"/> put <see cref="ResponseStepMiddleware"/> at
    /// the start of the pipeline; otherwise (a pipeline built without the host's startup filters)
    /// <c>UseFirstParty()</c> registers the steps itself.
    /// </summary>
    internal bool StartsPipeline { get; set; }

    /// <summary>Registers the steps for this response. The context is the callback's state: nothing is allocated.</summary>
    public void Register(HttpContext context) => context.Response.OnStarting(_run, context);

    /// <summary>
    /// Called where consent is resolved: registers the steps when no middleware at the start of the
    /// pipeline did, and says once that callbacks registered ahead of <c>UseFirstParty()</c> then
    /// run after the steps, so their cookies escape the gate.
    /// </summary>
    public void RegisterUnlessStarted(HttpContext context)
    {
        if (StartsPipeline)
        {
            return;
        }

        if (Interlocked.Exchange(ref _placementReported, 1) == 0)
        {
            _logger.CookieGateNotAtPipelineStart();
        }

        Register(context);
    }

    /// <summary>Runs the steps in their order; internal so that tests can run them without a server.</summary>
    internal Task Run(object state)
    {
        var context = (HttpContext)state;
        if (context.Features.Get<IConsentFeature>() is not { } consent)
        {
            NotResolved(context);
            return Task.CompletedTask;
        }

        // 1. Visitor cookies: the ids every later step derives from.
        _visitors.WriteResponse(context, consent);

        // 2. SDK cookies, from the visitor step 1 left in place.
        _providers.WriteResponse(context, consent);

        // 3. Last: the gate judges every Set-Cookie header of the response.
        _gate.RunLastPass(context, consent);
        return Task.CompletedTask;
    }

    private void NotResolved(HttpContext context)
    {
        if (context.Response.Headers.SetCookie.Count == 0)
        {
            return;
        }

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
}
