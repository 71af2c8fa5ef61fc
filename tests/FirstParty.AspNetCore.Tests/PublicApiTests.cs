using System.Reflection;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// The public surface is deliberate and small: adding or removing a public type must be a
/// conscious change to this list (and to the CHANGELOG).
/// </summary>
public sealed class PublicApiTests
{
    private static readonly string[] Expected =
    [
        "FirstParty.AspNetCore.AmplitudeCollectorOptions",
        "FirstParty.AspNetCore.AmplitudeProfileOptions",
        "FirstParty.AspNetCore.AmplitudeSdk",
        "FirstParty.AspNetCore.ClaritySnippetOptions",
        "FirstParty.AspNetCore.CollectorOptions",
        "FirstParty.AspNetCore.CollectorVendorOptions",
        "FirstParty.AspNetCore.ConsentAggregate",
        "FirstParty.AspNetCore.ConsentBannerLayout",
        "FirstParty.AspNetCore.ConsentBannerOptions",
        "FirstParty.AspNetCore.ConsentCategoryOptions",
        "FirstParty.AspNetCore.ConsentCategoryView",
        "FirstParty.AspNetCore.ConsentChangedContext",
        "FirstParty.AspNetCore.ConsentFormModel",
        "FirstParty.AspNetCore.ConsentLedgerMode",
        "FirstParty.AspNetCore.ConsentLedgerOptions",
        "FirstParty.AspNetCore.ConsentModeOptions",
        "FirstParty.AspNetCore.ConsentOptions",
        "FirstParty.AspNetCore.ConsentReceipt",
        "FirstParty.AspNetCore.ConsentReceiptExport",
        "FirstParty.AspNetCore.ConsentRegime",
        "FirstParty.AspNetCore.ConsentServiceView",
        "FirstParty.AspNetCore.ConsentText",
        "FirstParty.AspNetCore.CookieDeclaration",
        "FirstParty.AspNetCore.CrossDomainLinkingOptions",
        "FirstParty.AspNetCore.DeclaredCookie",
        "FirstParty.AspNetCore.DisableVisitorCookiesAttribute",
        "FirstParty.AspNetCore.FirstPartyCookieOptions",
        "FirstParty.AspNetCore.FirstPartyEndpointOptions",
        "FirstParty.AspNetCore.FirstPartyEvents",
        "FirstParty.AspNetCore.FirstPartyOptions",
        "FirstParty.AspNetCore.GoogleAnalyticsCollectorOptions",
        "FirstParty.AspNetCore.GoogleAnalyticsProfileOptions",
        "FirstParty.AspNetCore.IConsentFeature",
        "FirstParty.AspNetCore.IConsentLedger",
        "FirstParty.AspNetCore.IConsentLedgerInsights",
        "FirstParty.AspNetCore.IConsentService",
        "FirstParty.AspNetCore.ICookieDeclarations",
        "FirstParty.AspNetCore.IDisableVisitorCookiesMetadata",
        "FirstParty.AspNetCore.IFirstPartyBuilder",
        "FirstParty.AspNetCore.IFirstPartyTracker",
        "FirstParty.AspNetCore.IRegionResolver",
        "FirstParty.AspNetCore.ITrackingSnippet",
        "FirstParty.AspNetCore.IVisitorFeature",
        "FirstParty.AspNetCore.IpForwarding",
        "FirstParty.AspNetCore.MatomoSnippetOptions",
        "FirstParty.AspNetCore.PlausibleCollectorOptions",
        "FirstParty.AspNetCore.PlausibleSnippetOptions",
        "FirstParty.AspNetCore.PrivacyCentreModel",
        "FirstParty.AspNetCore.ProviderIds",
        "FirstParty.AspNetCore.ProviderProfileOptions",
        "FirstParty.AspNetCore.ReceiptErasure",
        "FirstParty.AspNetCore.ReceiptSubject",
        "FirstParty.AspNetCore.ReceiptSubjectKind",
        "FirstParty.AspNetCore.ServiceDeclaration",
        "FirstParty.AspNetCore.SnowplowCollectorOptions",
        "FirstParty.AspNetCore.SnowplowProfileOptions",
        "FirstParty.AspNetCore.StaffAction",
        "FirstParty.AspNetCore.TagHelpers.ConsentBannerTagHelper",
        "FirstParty.AspNetCore.TagHelpers.ConsentBlockTagHelper",
        "FirstParty.AspNetCore.TagHelpers.ConsentFallbackTagHelper",
        "FirstParty.AspNetCore.TagHelpers.ConsentModeTagHelper",
        "FirstParty.AspNetCore.TagHelpers.ConsentPreferencesButtonTagHelper",
        "FirstParty.AspNetCore.TagHelpers.ConsentPreferencesTagHelper",
        "FirstParty.AspNetCore.TagHelpers.ConsentTagHelper",
        "FirstParty.AspNetCore.TagHelpers.CookieTableTagHelper",
        "FirstParty.AspNetCore.TagHelpers.CrossDomainLinkTagHelper",
        "FirstParty.AspNetCore.TagHelpers.PrivacyCentreTagHelper",
        "FirstParty.AspNetCore.TagHelpers.TrackingSnippetTagHelper",
        "FirstParty.AspNetCore.TrackResult",
        "FirstParty.AspNetCore.TrackedEvent",
        "FirstParty.AspNetCore.TrackingContext",
        "FirstParty.AspNetCore.TrackingScript",
        "FirstParty.AspNetCore.UndeclaredCookiePolicy",
        "FirstParty.AspNetCore.UserAgentForwarding",
        "FirstParty.AspNetCore.VisitorEventContext",
        "FirstParty.AspNetCore.VisitorExpirationMode",
        "FirstParty.AspNetCore.VisitorOptions",
        "FirstParty.AspNetCore.VisitorSessionOptions",
        "Microsoft.AspNetCore.Builder.CollectorEndpointRouteBuilderExtensions",
        "Microsoft.AspNetCore.Builder.FirstPartyApplicationBuilderExtensions",
        "Microsoft.AspNetCore.Builder.FirstPartyEndpointRouteBuilderExtensions",
        "Microsoft.AspNetCore.Builder.InsightsEndpointRouteBuilderExtensions",
        "Microsoft.AspNetCore.Builder.VisitorEndpointConventionBuilderExtensions",
        "Microsoft.AspNetCore.Http.ConsentHttpContextExtensions",
        "Microsoft.AspNetCore.Http.ProviderHttpContextExtensions",
        "Microsoft.AspNetCore.Http.TrackerHttpContextExtensions",
        "Microsoft.AspNetCore.Http.VisitorHttpContextExtensions",
        "Microsoft.AspNetCore.OutputCaching.ConsentOutputCachePolicyBuilderExtensions",
        "Microsoft.Extensions.DependencyInjection.CollectorHealthChecksBuilderExtensions",
        "Microsoft.Extensions.DependencyInjection.ComponentsFirstPartyBuilderExtensions",
        "Microsoft.Extensions.DependencyInjection.ConsentLedgerHealthChecksBuilderExtensions",
        "Microsoft.Extensions.DependencyInjection.FirstPartyServiceCollectionExtensions",
        "Microsoft.Extensions.DependencyInjection.KeyRingHealthChecksBuilderExtensions",
        "Microsoft.Extensions.DependencyInjection.ProviderFirstPartyBuilderExtensions",
    ];

    [Fact]
    public void Public_types_are_exactly_the_documented_ones()
    {
        var actual = typeof(IVisitorFeature).Assembly.GetExportedTypes()
            .Select(t => t.FullName!)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(Expected, actual);
    }

    [Fact]
    public void The_testing_package_sees_only_the_public_api()
    {
        var friends = typeof(IVisitorFeature).Assembly.GetCustomAttributes<System.Runtime.CompilerServices.InternalsVisibleToAttribute>()
            .Select(a => a.AssemblyName);

        Assert.DoesNotContain("FirstParty.AspNetCore.Testing", friends);
    }

    [Fact]
    public void Extension_methods_live_in_framework_namespaces_so_no_using_is_needed()
    {
        var extensionTypes = typeof(IVisitorFeature).Assembly.GetExportedTypes()
            .Where(t => t.IsSealed && t.IsAbstract && t.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute))));

        Assert.All(extensionTypes, t => Assert.StartsWith("Microsoft.", t.Namespace, StringComparison.Ordinal));
    }
}
