using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Components;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>FirstParty's Blazor components (package FirstParty.AspNetCore.Components) on the server.</summary>
public static class ComponentsFirstPartyBuilderExtensions
{
    /// <summary>
    /// Serves FirstParty's Blazor components: the cascading <see cref="ConsentState"/> and
    /// <see cref="VisitorState"/> filled from each request and persisted for the interactive render
    /// modes, and the components' markup rendered by the same views and tag helpers as
    /// <c>&lt;consent-banner /&gt;</c> and its siblings. Registers the Razor view engine those views
    /// need (a Blazor Web App has none by default) and <see cref="Microsoft.AspNetCore.Http.IHttpContextAccessor"/>.
    /// </summary>
    public static IFirstPartyBuilder AddComponents(this IFirstPartyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddHttpContextAccessor();

        // The partial views are compiled into this assembly: make sure MVC sees it as a part even
        // when the host's entry assembly does not declare it (a test host, a trimmed app).
        services.AddMvcCore().AddRazorViewEngine().ConfigureApplicationPartManager(parts =>
        {
            var assembly = typeof(ComponentsFirstPartyBuilderExtensions).Assembly;
            foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
            {
                if (!parts.ApplicationParts.Any(p => p.GetType() == part.GetType() && p.Name == part.Name))
                {
                    parts.ApplicationParts.Add(part);
                }
            }
        });

        services.TryAddSingleton<IFirstPartyServer, ServerComponentState>();
        services.AddFirstPartyComponents();
        return builder;
    }
}
