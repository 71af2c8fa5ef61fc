using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Visitors;
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

        var granted = policy.Categories.Where(c => c.Required || grantedCategories.Contains(c.Key)).Select(c => c.Key).ToList();
        var options = policy.Options;
        var lifetime = granted.Count > policy.Categories.Count(c => c.Required) ? options.AcceptLifetime : options.RefusalLifetime;
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeSeconds();
        var source = grantedCategories.Length == 0 ? ConsentSources.RejectAll : ConsentSources.Custom;
        var record = new ConsentRecord(RandomIds.NewUuid(), options.Revision, now, now + (long)lifetime.TotalSeconds, source, options.Regime, null, granted);
        return $"{options.CookieName}={manager.Codec.Protect(record)}";
    }

    /// <summary>A consent cookie granting every configured category.</summary>
    public static string AcceptAll(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var policy = services.GetRequiredService<ConsentManager>().Policy;
        return Create(services, [.. policy.Categories.Select(c => c.Key)]);
    }
}
