using FirstParty.AspNetCore.Consent;
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
        var manager = services.GetRequiredService<ConsentManager>();
        var policy = manager.Policy;
        if (grantedCategories.FirstOrDefault(c => !policy.IsKnown(c)) is { } unknown)
        {
            throw new ArgumentException($"'{unknown}' is not a consent category of this app ({string.Join(", ", policy.Categories.Select(c => c.Key))}).", nameof(grantedCategories));
        }

        var source = grantedCategories.Length == 0 ? ConsentSources.RejectAll : ConsentSources.Custom;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var (record, _) = manager.CreateRecord(null, source, policy.Options.Regime, null, grantedCategories, now);
        return $"{policy.Options.CookieName}={manager.Codec.Protect(record)}";
    }

    /// <summary>A consent cookie granting every configured category.</summary>
    public static string AcceptAll(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var policy = services.GetRequiredService<ConsentManager>().Policy;
        return Create(services, [.. policy.Categories.Select(c => c.Key)]);
    }
}
