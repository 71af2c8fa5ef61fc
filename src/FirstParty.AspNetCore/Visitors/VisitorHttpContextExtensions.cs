using FirstParty.AspNetCore;

namespace Microsoft.AspNetCore.Http;

/// <summary>Reads FirstParty's visitor state from an <see cref="HttpContext"/>.</summary>
public static class VisitorHttpContextExtensions
{
    /// <summary>
    /// Returns the visitor of this request, or null when there is none (see <see cref="IVisitorFeature"/>).
    /// </summary>
    public static IVisitorFeature? GetVisitor(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<IVisitorFeature>();
    }
}
