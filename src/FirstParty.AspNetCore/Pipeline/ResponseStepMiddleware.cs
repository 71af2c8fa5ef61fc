using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Pipeline;

/// <summary>
/// The first middleware of the pipeline: it registers the <see cref="ResponseSteps"/> before anything
/// else can register an <c>OnStarting</c> callback, so they run after all of them.
/// </summary>
internal sealed class ResponseStepMiddleware(RequestDelegate next, ResponseSteps steps)
{
    public Task InvokeAsync(HttpContext context)
    {
        steps.Register(context);
        return next(context);
    }
}
