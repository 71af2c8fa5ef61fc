using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Pipeline;
using FirstParty.AspNetCore.Providers;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.TagHelpers;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers FirstParty's services.</summary>
public static class FirstPartyServiceCollectionExtensions
{
    /// <summary>
    /// Adds FirstParty with options bound from a configuration section, usually
    /// <c>builder.Configuration.GetSection("FirstParty")</c>. Options are validated at startup.
    /// </summary>
    public static IFirstPartyBuilder AddFirstParty(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<FirstPartyOptions>().Bind(configuration);

        // The binder drops a dictionary entry whose value is not an enum member without a word, so
        // a mistyped regime would silently fall back to the default: check the raw values.
        services.AddSingleton<IValidateOptions<FirstPartyOptions>>(new ConfigurationValuesValidator(configuration));
        return services.AddFirstPartyCore();
    }

    /// <summary>Adds FirstParty with options set in code. Options are validated at startup.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads", Justification = "A deliberate pair, configuration or code; services.AddFirstParty() with no argument is the documented minimal setup. No overload is ever added with an optional parameter.")]
    public static IFirstPartyBuilder AddFirstParty(this IServiceCollection services, Action<FirstPartyOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (configure is not null)
        {
            services.Configure(configure);
        }

        return services.AddFirstPartyCore();
    }

    private static FirstPartyBuilder AddFirstPartyCore(this IServiceCollection services)
    {
        services.AddOptions<FirstPartyOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirstPartyOptions>, FirstPartyOptionsValidator>());
        services.AddDataProtection();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<FirstPartyMarkerService>();
        services.TryAddSingleton<FirstPartyMetrics>();

        // Made only when the app maps the insights page, so its meter listener costs nothing otherwise.
        services.TryAddSingleton<FirstParty.AspNetCore.Insights.InsightsMeterAggregate>();
        services.TryAddSingleton<FirstParty.AspNetCore.Insights.SubjectHasher>();
        services.TryAddSingleton<CookieDomainResolver>();
        // Key activation and expiry follow Data Protection's own (real) clock, not the app's TimeProvider.
        services.TryAddSingleton(static sp => new CookieKeyRing(
            sp.GetService<IKeyManager>(),
            sp.GetRequiredService<IDataProtectionProvider>(),
            sp.GetService<IOptions<DataProtectionOptions>>()?.Value.ApplicationDiscriminator ?? sp.GetApplicationUniqueIdentifier(),
            TimeProvider.System));
        services.TryAddSingleton(static sp => KeyRingStorage.Inspect(
            sp.GetService<IDataProtectionProvider>(),
            sp.GetService<IOptions<KeyManagementOptions>>()?.Value,
            Environment.GetEnvironmentVariable));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, KeyRingPersistenceCheck>());
        services.TryAddSingleton<ResponseCookieWriter>();
        services.TryAddSingleton<RequestCookieReader>();
        services.TryAddSingleton<CrawlerDetector>();
        services.TryAddSingleton<VisitorTracker>();
        services.AddAntiforgery();
        services.AddLocalization();
        services.TryAddSingleton<ConsentPolicy>();
        services.TryAddSingleton<ConsentTexts>();
        services.TryAddSingleton<IRegionResolver, HeaderRegionResolver>();
        services.TryAddSingleton<IConsentLedger, InMemoryConsentLedger>();
        services.TryAddSingleton<NoticeFingerprint>();
        services.TryAddSingleton<ConsentReceiptFactory>();
        services.TryAddSingleton<ConsentLedgerWriter>();
        services.TryAddSingleton<ConsentLedgerRetention>();
        services.AddHostedService(static sp => sp.GetRequiredService<ConsentLedgerWriter>());
        services.AddHostedService(static sp => sp.GetRequiredService<ConsentLedgerRetention>());
        services.TryAddSingleton<FirstParty.AspNetCore.Linking.UsedLinkTokens>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, FirstParty.AspNetCore.Linking.UsedLinkTokensWarmUp>());
        services.TryAddSingleton<FirstParty.AspNetCore.Linking.CrossDomainTokens>();
        services.TryAddSingleton<FirstParty.AspNetCore.Linking.CrossDomainLinkHandler>();
        services.TryAddSingleton<ProviderMirrors>();
        services.TryAddSingleton<FirstParty.AspNetCore.Collector.CollectorUpstreamClient>();
        services.AddHttpClient(CollectorOptions.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(FirstParty.AspNetCore.Collector.CollectorUpstreamClient.CreateHandler);
        services.TryAddSingleton<FirstParty.AspNetCore.Collector.CollectorVisitors>();
        services.TryAddSingleton<FirstParty.AspNetCore.Collector.CollectorForwarder>();
        services.TryAddSingleton<FirstParty.AspNetCore.Collector.CollectorRequestHandler>();
        services.TryAddSingleton<IFirstPartyTracker, FirstParty.AspNetCore.Collector.FirstPartyTracker>();
        services.TryAddSingleton<FirstParty.AspNetCore.Collector.SnowplowNetworkCookie>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<FirstParty.AspNetCore.Collector.ICollectorVendor, FirstParty.AspNetCore.Collector.SnowplowCollector>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDeclaredService, FirstParty.AspNetCore.Collector.SnowplowNetworkCookieDeclaration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<FirstParty.AspNetCore.Collector.ICollectorVendor, FirstParty.AspNetCore.Collector.AmplitudeCollector>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<FirstParty.AspNetCore.Collector.ICollectorVendor, FirstParty.AspNetCore.Collector.GoogleAnalyticsCollector>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<FirstParty.AspNetCore.Collector.ICollectorVendor, FirstParty.AspNetCore.Collector.PlausibleCollector>());
        services.AddHostedService(static sp => sp.GetRequiredService<FirstParty.AspNetCore.Collector.CollectorForwarder>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FirstPartyOptions>, ProviderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, GoogleAnalyticsSnippet>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, AmplitudeSnippet>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, SnowplowSnippet>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, MatomoSnippet>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, ClaritySnippet>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITrackingSnippet, PlausibleSnippet>());
        // The provider profiles and the collector declare their cookies in code: the catalogue sees them
        // as declared services, the collector's first (its sp carries the collector's name and lifetime).
        services.TryAddSingleton(static sp => new CookieCatalogue(
            sp.GetRequiredService<IOptions<FirstPartyOptions>>(),
            sp.GetRequiredService<ConsentPolicy>(),
            [.. sp.GetServices<IDeclaredService>(), .. sp.GetServices<ProviderProfile>()]));
        services.TryAddSingleton<ICookieDeclarations, CookieDeclarations>();
        services.TryAddSingleton<CookieGate>();
        services.TryAddSingleton<ResponseSteps>();
        if (!services.Any(static d => d.ServiceType == typeof(IStartupFilter) && d.ImplementationType == typeof(ResponseStepStartupFilter)))
        {
            // First among the startup filters, so the response steps are registered before every
            // other middleware's callbacks, the host's and other libraries' included.
            services.Insert(0, ServiceDescriptor.Transient<IStartupFilter, ResponseStepStartupFilter>());
        }

        services.TryAddSingleton<ConsentManager>();
        services.TryAddSingleton<ConsentDecisions>();
        services.TryAddSingleton<IConsentDecider>(static sp => sp.GetRequiredService<ConsentDecisions>());
        services.TryAddSingleton<AllowOnceTokens>();
        services.TryAddSingleton<ConsentUiTexts>();
        services.TryAddSingleton<IConsentViewRenderer, ConsentViewRenderer>();
        services.TryAddSingleton<ConsentModeScript>();
        services.TryAddSingleton<IConsentService, ConsentService>();
        return new FirstPartyBuilder(services);
    }
}
