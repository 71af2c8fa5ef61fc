using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Consent and identity for collector hits: whether the request's consent allows a vendor, and what
/// the server knows of the visitor, reduced to what that vendor may learn.
/// </summary>
internal sealed class CollectorVisitors(IOptions<FirstPartyOptions> options)
{
    /// <summary>The identity given to vendors when consent refuses them: nothing at all.</summary>
    public static readonly CollectorVisitor Nobody = new();

    /// <summary>The consent key of a vendor: its own setting, else its provider's category.</summary>
    public string ConsentKey(ICollectorVendor vendor)
        => vendor.OptionsOf(options.Value.Collector).Consent ?? vendor.DefaultConsent(options.Value);

    /// <summary>
    /// Whether this request's consent allows the vendor: granted categories and services only. A
    /// request without FirstParty's consent state (the middleware did not run) is never granted,
    /// and Global Privacy Control refusals are already part of that state.
    /// </summary>
    public bool IsGranted(HttpContext context, ICollectorVendor vendor)
        => context.GetConsent() is { } consent && consent.IsGranted(ConsentKey(vendor));

    /// <summary>What the server knows of the visitor, for a vendor that consent allows.</summary>
    public CollectorVisitor Describe(HttpContext context, CollectorVendorOptions vendor)
    {
        var visitor = context.GetVisitor();
        var request = context.Request;
        return new CollectorVisitor
        {
            VisitorId = visitor?.VisitorId,
            SessionId = visitor?.SessionId,
            SessionIndex = visitor?.SessionIndex ?? 0,
            SessionStart = visitor?.SessionStart,
            Ids = visitor is null ? Nobody.Ids : context.GetProviderIds(),
            UserId = options.Value.Providers.UserId?.Invoke(context),
            ClientIp = CollectorClientInfo.Ip(context, vendor.IpForwarding),
            UserAgent = CollectorClientInfo.UserAgent(context, vendor.UserAgent),
            NetworkUserId = vendor is SnowplowCollectorOptions snowplow ? SnowplowNetworkCookie.Read(context, snowplow.CookieName) : null,
        };
    }
}
