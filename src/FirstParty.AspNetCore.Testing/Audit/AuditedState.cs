namespace FirstParty.AspNetCore.Testing;

/// <summary>The pages visited under one consent state, and that state as the site answered it.</summary>
public sealed class AuditedState
{
    /// <summary>The state's name (<see cref="CookieAuditState.Name"/>).</summary>
    public required string Name { get; init; }

    /// <summary>Whether a decision was made.</summary>
    public bool Decided { get; init; }

    /// <summary>The regime the site applied (<c>OptIn</c>, <c>OptOut</c>, <c>Implied</c>).</summary>
    public required string Regime { get; init; }

    /// <summary>Each category and whether the site granted it in this state.</summary>
    public required IReadOnlyDictionary<string, bool> Categories { get; init; }

    /// <summary>Each configured service (<c>category/service</c>) and whether the site granted it.</summary>
    public IReadOnlyDictionary<string, bool> Services { get; init; } = new Dictionary<string, bool>();

    /// <summary>The required categories (granted without a decision).</summary>
    public required IReadOnlyList<string> RequiredCategories { get; init; }

    /// <summary>The pages, in the order visited.</summary>
    public required IReadOnlyList<AuditedPage> Pages { get; init; }

    /// <summary>Whether the state refuses what <paramref name="consentKey"/> (a category or <c>category/service</c>) names.</summary>
    public bool Refuses(string consentKey)
    {
        ArgumentNullException.ThrowIfNull(consentKey);
        if (Services.TryGetValue(consentKey, out var service))
        {
            return !service;
        }

        var slash = consentKey.IndexOf('/', StringComparison.Ordinal);
        var category = slash < 0 ? consentKey : consentKey[..slash];
        return Categories.TryGetValue(category, out var granted) && !granted;
    }
}
