using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Puts <see cref="CookieGateMiddleware"/> at the very start of the request pipeline, ahead of
/// everything the app adds, so that a middleware placed before <c>UseFirstParty()</c> cannot write
/// a cookie the gate never sees. Consent is still resolved where the app puts <c>UseFirstParty()</c>.
/// </summary>
internal sealed class CookieGateStartupFilter(CookieGate gate) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        // The host applies startup filters before it builds the pipeline, so UseFirstParty's own
        // middleware, built afterwards, knows it no longer needs a last pass of its own.
        gate.StartsPipeline = true;
        app.UseMiddleware<CookieGateMiddleware>();
        next(app);
    };
}
