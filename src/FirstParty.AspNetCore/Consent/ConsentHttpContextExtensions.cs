using FirstParty.AspNetCore;

namespace Microsoft.AspNetCore.Http;

/// <summary>Reads FirstParty's consent state from an <see cref="HttpContext"/>.</summary>
public static class ConsentHttpContextExtensions
{
    /// <summary>Returns the consent state of this request, or null when <c>UseFirstParty()</c> did not run.</summary>
    public static IConsentFeature? GetConsent(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IConsentFeature>();
    }
}
