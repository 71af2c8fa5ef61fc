using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace FirstParty.AspNetCore.Pipeline;

/// <summary>
/// Puts <see cref="ResponseStepMiddleware"/> at the very start of the request pipeline, ahead of
/// everything the app adds, so that a middleware placed before <c>UseFirstParty()</c> cannot write
/// a cookie the gate never sees. Consent is still resolved where the app puts <c>UseFirstParty()</c>.
/// </summary>
internal sealed class ResponseStepStartupFilter(ResponseSteps steps) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // The host applies startup filters before it builds the pipeline, so UseFirstParty's own
        // middleware, built afterwards, knows the steps are already registered.
        steps.StartsPipeline = true;
        app.UseMiddleware<ResponseStepMiddleware>();
        next(app);
    };
}
