using FirstParty.AspNetCore.OutputCaching;

namespace Microsoft.AspNetCore.OutputCaching;

/// <summary>Output caching for pages that use FirstParty's consent tag helpers.</summary>
public static class ConsentOutputCachePolicyBuilderExtensions
{
    /// <summary>
    /// Varies cached pages by the request's consent state and UI culture, and never stores a page
    /// that rendered an antiforgery token for a consent form. <c>UseOutputCache()</c> must come after
    /// <c>UseFirstParty()</c> (and after request localization) so the state is known.
    /// </summary>
    public static OutputCachePolicyBuilder VaryByConsent(this OutputCachePolicyBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddPolicy<ConsentOutputCachePolicy>();
    }
}
