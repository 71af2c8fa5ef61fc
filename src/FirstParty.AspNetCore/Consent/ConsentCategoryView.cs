namespace FirstParty.AspNetCore;

/// <summary>
/// A category as a visitor sees it on this request: texts in the request's UI culture and whether
/// it is granted. Read them with <c>HttpContext.GetConsentCategories()</c> to render a consent form,
/// a privacy centre or a cookie table.
/// </summary>
/// <param name="Key">The category key.</param>
/// <param name="Title">The title in the request's UI culture.</param>
/// <param name="Description">The description in the request's UI culture, if any.</param>
/// <param name="Required">Always on (shown locked).</param>
/// <param name="SaleOrSharing">Refused by default under an opt-out signal.</param>
/// <param name="Granted">Granted on this request.</param>
/// <param name="Services">The services of the category.</param>
/// <param name="PreviouslyGranted">
/// After a new policy revision or an expiry, what the person chose last time (to pre-fill the form);
/// null when there is no earlier decision.
/// </param>
public sealed record ConsentCategoryView(
    string Key, string Title, string? Description, bool Required, bool SaleOrSharing, bool Granted, IReadOnlyList<ConsentServiceView> Services, bool? PreviouslyGranted = null);

/// <summary>A service inside a <see cref="ConsentCategoryView"/>.</summary>
/// <param name="Key">The service's choice key, <c>category/service</c>.</param>
/// <param name="Title">The title in the request's UI culture.</param>
/// <param name="Description">The description, if any.</param>
/// <param name="Provider">The company that provides it.</param>
/// <param name="Granted">Granted on this request.</param>
/// <param name="Cookies">The cookies it stores.</param>
/// <param name="PreviouslyGranted">What the person chose last time, after a new revision or an expiry; else null.</param>
public sealed record ConsentServiceView(
    string Key, string Title, string? Description, string? Provider, bool Granted, IReadOnlyList<CookieDeclaration> Cookies, bool? PreviouslyGranted = null);
