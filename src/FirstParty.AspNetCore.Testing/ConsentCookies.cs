using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Testing;

/// <summary>Creates valid, signed consent cookies for an app under test.</summary>
public static class ConsentCookies
{
    /// <summary>
    /// Returns a <c>name=value</c> consent cookie that the app behind <paramref name="services"/>
    /// accepts as a current decision granting <paramref name="grantedCategories"/> (required
    /// categories are always granted; an empty list is a refusal).
    /// </summary>
    /// <exception cref="ArgumentException">A category is not configured in the app.</exception>
    public static string Create(IServiceProvider services, params string[] grantedCategories)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(grantedCategories);
        return services.GetRequiredService<IConsentService>().CreateCookie(grantedCategories);
    }

    /// <summary>A consent cookie granting every configured category.</summary>
    public static string AcceptAll(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var consent = services.GetRequiredService<IConsentService>();
        return consent.CreateCookie(consent.CategoryKeys);
    }
}
