using FirstParty.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.JSInterop;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers FirstParty's Blazor components in a WebAssembly client.</summary>
public static class FirstPartyComponentsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the cascading <see cref="ConsentState"/> and <see cref="VisitorState"/> and
    /// <see cref="FirstPartyConsent"/> for a WebAssembly client (<c>BlazorApp.Client</c>'s
    /// Program.cs): the state comes from what the server persisted while prerendering. The server
    /// calls <c>AddFirstParty().AddComponents()</c> instead, which registers these too.
    /// </summary>
    public static IServiceCollection AddFirstPartyComponents(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(s => s.ServiceType == typeof(FirstPartyStateStore)))
        {
            return services;
        }

        services.AddScoped<FirstPartyStateStore>();
        services.AddCascadingValue(sp => sp.GetRequiredService<FirstPartyStateStore>().ConsentSource);
        services.AddCascadingValue(sp => sp.GetRequiredService<FirstPartyStateStore>().VisitorSource);
        services.TryAddScoped(sp => new FirstPartyConsent(sp.GetRequiredService<FirstPartyStateStore>(), sp.GetRequiredService<IJSRuntime>()));
        return services;
    }
}
