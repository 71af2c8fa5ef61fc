namespace FirstParty.AspNetCore.Components;

/// <summary>
/// The visitor's consent as the server decided it for this request (or as the consent endpoint
/// answered after a choice made on the page). Immutable: a new decision cascades a new instance.
/// Available as a cascading parameter in every render mode: <c>[CascadingParameter] ConsentState Consent</c>.
/// </summary>
public sealed class ConsentState
{
    private static readonly IReadOnlyDictionary<string, bool> Empty = new Dictionary<string, bool>(StringComparer.Ordinal);

    /// <summary>Creates a consent state.</summary>
    /// <param name="decided">Whether the visitor has a current decision.</param>
    /// <param name="categories">Each category's answer.</param>
    /// <param name="services">Each declared service's own answer (<c>category/service</c>).</param>
    public ConsentState(bool decided, IReadOnlyDictionary<string, bool> categories, IReadOnlyDictionary<string, bool> services)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(services);
        Decided = decided;
        Categories = new Dictionary<string, bool>(categories, StringComparer.Ordinal);
        Services = new Dictionary<string, bool>(services, StringComparer.Ordinal);
    }

    /// <summary>The state without FirstParty's middleware on the request: undecided, nothing granted.</summary>
    public static ConsentState None { get; } = new(false, Empty, Empty);

    /// <summary>Whether the visitor has a current decision (the banner is not needed).</summary>
    public bool Decided { get; }

    /// <summary>Each category's answer (necessary always true).</summary>
    public IReadOnlyDictionary<string, bool> Categories { get; }

    /// <summary>Each declared service's own answer, keyed <c>category/service</c>.</summary>
    public IReadOnlyDictionary<string, bool> Services { get; }

    /// <summary>The regime the visitor's region falls under: <c>OptIn</c>, <c>OptOut</c> or <c>Implied</c>.</summary>
    public string? Regime { get; init; }

    /// <summary>The visitor's region, when the app resolves one.</summary>
    public string? Region { get; init; }

    /// <summary>Whether the browser sends Global Privacy Control.</summary>
    public bool GlobalPrivacyControl { get; init; }

    /// <summary>The id of the current decision (its receipt in the ledger), or null when undecided.</summary>
    public string? ConsentId { get; init; }

    /// <summary>The policy revision the decision was made under.</summary>
    public int Revision { get; init; }

    /// <summary>
    /// Whether <paramref name="key"/> is granted, by the core's rule: a category (<c>analytics</c>)
    /// answers for itself; a declared service (<c>marketing/youtube</c>) answers for itself (the server
    /// worked out whether it follows its category), an undeclared one is never granted; a negation (<c>!marketing</c>) is never granted.
    /// </summary>
    public bool IsGranted(string key)
    {
        if (string.IsNullOrEmpty(key) || key[0] == '!')
        {
            return false;
        }

        // The server sends every declared service's answer; a service it does not declare is unknown, never granted.
        return key.Contains('/', StringComparison.Ordinal)
            ? Services.TryGetValue(key, out var service) && service
            : Categories.TryGetValue(key, out var category) && category;
    }
}
