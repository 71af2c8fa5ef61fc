using FirstParty.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// A consent state a cookie audit visits the pages under: no decision yet, a refusal, acceptance, or
/// one optional category alone. Decisions are made through the site's own consent endpoint.
/// </summary>
public sealed class CookieAuditState
{
    private CookieAuditState(string name, string? choice, IReadOnlyList<string> categories)
    {
        Name = name;
        Choice = choice;
        Categories = categories;
    }

    /// <summary>No decision: the banner shows.</summary>
    public static CookieAuditState Undecided { get; } = new("undecided", null, []);

    /// <summary>The banner's "reject all".</summary>
    public static CookieAuditState RejectAll { get; } = new("reject-all", "reject-all", []);

    /// <summary>The banner's "accept all".</summary>
    public static CookieAuditState AcceptAll { get; } = new("accept-all", "accept-all", []);

    /// <summary>The name the report shows (<c>undecided</c>, <c>reject-all</c>, <c>accept-all</c>, <c>analytics only</c>).</summary>
    public string Name { get; }

    /// <summary>The <c>choice</c> posted to the consent endpoint, or null for no decision.</summary>
    public string? Choice { get; }

    /// <summary>The categories a custom choice grants (empty for the other states).</summary>
    public IReadOnlyList<string> Categories { get; }

    /// <summary>A custom choice granting <paramref name="category"/> alone (besides the required ones).</summary>
    public static CookieAuditState Only(string category)
    {
        ArgumentException.ThrowIfNullOrEmpty(category);
        return new($"{category} only", "custom", [category]);
    }

    /// <summary>
    /// The default states for the app behind <paramref name="services"/>: undecided, reject-all,
    /// accept-all, then each optional category alone, in configured order.
    /// </summary>
    public static IReadOnlyList<CookieAuditState> All(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var required = services.GetRequiredService<ICookieDeclarations>().RequiredCategories;
        var optional = services.GetRequiredService<IConsentService>().CategoryKeys.Where(k => !required.Contains(k));
        return [Undecided, RejectAll, AcceptAll, .. optional.Select(Only)];
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
