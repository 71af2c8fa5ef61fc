using FirstParty.AspNetCore.Pipeline;
using FirstParty.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds FirstParty to the request pipeline.</summary>
public static class FirstPartyApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the FirstParty middleware: it resolves each request's visitor (<c>HttpContext.GetVisitor()</c>)
    /// and writes the visitor and session cookies on top-level navigations. Place it after
    /// <c>UseStaticFiles</c>/<c>MapStaticAssets</c> and routing, before the app's endpoints.
    /// </summary>
    public static IApplicationBuilder UseFirstParty(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<FirstPartyMarkerService>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the FirstParty services. Call builder.Services.AddFirstParty(builder.Configuration.GetSection(\"FirstParty\")) before app.UseFirstParty().");
        }

        return app.UseMiddleware<FirstPartyMiddleware>();
    }
}
