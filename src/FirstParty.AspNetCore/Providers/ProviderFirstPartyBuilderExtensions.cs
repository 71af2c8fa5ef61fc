using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Providers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Provider profiles: the server writes each SDK's id cookie in the SDK's own format, derived from
/// the visitor cookie, so the SDK adopts the server's id and keeps it past Safari's and Brave's caps
/// on script-written cookies. Options come from <c>FirstParty:Providers:{Name}</c>.
/// </summary>
public static class ProviderFirstPartyBuilderExtensions
{
    /// <summary>Writes the Snowplow browser tracker's <c>_sp_id.{hash}</c> and <c>_sp_ses.{hash}</c>.</summary>
    public static IFirstPartyBuilder AddSnowplow(this IFirstPartyBuilder builder, Action<SnowplowProfileOptions>? configure = null)
        => builder.AddProfile(o => o.Providers.Snowplow, configure, static o => new SnowplowProfile(o.Providers.Snowplow));

    /// <summary>Writes Amplitude's <c>AMP_{key}</c> (analytics-browser 2) or <c>amp_{key}</c> (amplitude-js 8); needs <c>ApiKey</c>.</summary>
    public static IFirstPartyBuilder AddAmplitude(this IFirstPartyBuilder builder, Action<AmplitudeProfileOptions>? configure = null)
        => builder.AddProfile(o => o.Providers.Amplitude, configure, static o => new AmplitudeProfile(o.Providers.Amplitude));

    /// <summary>Writes GA4's <c>_ga</c> with a client id derived from the visitor.</summary>
    public static IFirstPartyBuilder AddGoogleAnalytics(this IFirstPartyBuilder builder, Action<GoogleAnalyticsProfileOptions>? configure = null)
        => builder.AddProfile(o => o.Providers.GoogleAnalytics, configure, static o => new GoogleAnalyticsProfile(o.Providers.GoogleAnalytics));

    /// <summary>
    /// Adds a tracking snippet of your own for <c>&lt;tracking-snippet provider="{Name}" /&gt;</c>.
    /// A provider with the same name as a built-in one replaces it.
    /// </summary>
    public static IFirstPartyBuilder AddTrackingProvider<TProvider>(this IFirstPartyBuilder builder)
        where TProvider : class, ITrackingSnippet
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, TProvider>());
        return builder;
    }

    private static IFirstPartyBuilder AddProfile<TOptions>(
        this IFirstPartyBuilder builder,
        Func<FirstPartyOptions, TOptions> select,
        Action<TOptions>? configure,
        Func<FirstPartyOptions, ProviderProfile> create)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (configure is not null)
        {
            builder.Services.Configure<FirstPartyOptions>(o => configure(select(o)));
        }

        // A second AddX() only configures.
        if (builder.Services.Any(static d => d.ImplementationInstance is ProviderProfileRegistration r && r.Options == typeof(TOptions)))
        {
            return builder;
        }

        builder.Services.AddSingleton(new ProviderProfileRegistration(typeof(TOptions)));
        builder.Services.AddSingleton(sp => create(sp.GetRequiredService<IOptions<FirstPartyOptions>>().Value));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirstPartyOptions>, ProviderOptionsValidator>());
        return builder;
    }
}
