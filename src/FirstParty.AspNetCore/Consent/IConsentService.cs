using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>
/// Changes the consent state from server code, for example to apply the choice a signed-in user
/// saved on another device. Decisions made here are recorded like the endpoints' (cookie, visitor
/// cookies, event, receipt) with the source <c>api</c>.
/// </summary>
public interface IConsentService
{
    /// <summary>
    /// Grants the listed optional categories and refuses the others (required ones are always granted).
    /// A service listed as <c>category/service</c> is granted on its own; listing any service of a
    /// category makes that category's services chosen one by one.
    /// </summary>
    /// <exception cref="ArgumentException">A category is not configured.</exception>
    /// <exception cref="InvalidOperationException"><c>UseFirstParty()</c> did not run for this request.</exception>
    Task<IConsentFeature> SetAsync(HttpContext context, IEnumerable<string> grantedCategories);

    /// <summary>Withdraws consent: every optional category is refused and its cookies deleted.</summary>
    /// <exception cref="InvalidOperationException"><c>UseFirstParty()</c> did not run for this request.</exception>
    Task<IConsentFeature> WithdrawAsync(HttpContext context);

    /// <summary>
    /// The keys of the configured consent categories, in their configured order (the default
    /// categories when <see cref="ConsentOptions.Categories"/> is not set).
    /// </summary>
    IReadOnlyList<string> CategoryKeys { get; }

    /// <summary>
    /// Returns <c>name=value</c> of a signed consent cookie that this app accepts as a current
    /// decision granting <paramref name="grantedCategories"/>, as a browser that made that choice
    /// would send it (required categories are always granted; an empty list is a refusal). Nothing
    /// is recorded: no response cookie, event or receipt. Meant for tests and other clients that must
    /// arrive with a known decision.
    /// </summary>
    /// <param name="grantedCategories">Optional categories, or services as <c>category/service</c>, to grant.</param>
    /// <exception cref="ArgumentException">A category is not configured; the message names it.</exception>
    string CreateCookie(IEnumerable<string> grantedCategories);
}
