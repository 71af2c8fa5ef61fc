using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Decides whether the browser may hold cookies of a consent category on this request. The visitor
/// and session cookies ask it for <see cref="VisitorOptions.Category"/> before they are read or written.
/// </summary>
internal interface ICategoryGate
{
    bool IsGranted(HttpContext context, string category);
}

/// <summary>The gate used until a consent service is registered: every category is allowed.</summary>
internal sealed class AllowAllCategoryGate : ICategoryGate
{
    public bool IsGranted(HttpContext context, string category) => true;
}
