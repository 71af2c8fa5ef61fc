namespace FirstParty.AspNetCore;

/// <summary>A consent category (<c>FirstParty:Consent:Categories:{n}</c>).</summary>
public sealed class ConsentCategoryOptions
{
    /// <summary>The lowercase key, for example <c>analytics</c>.</summary>
    public string Key { get; set; } = string.Empty;

    /// <summary>Strictly necessary: always granted and shown locked on.</summary>
    public bool Required { get; set; }

    /// <summary>
    /// The category sells or shares personal data (advertising, cross-context tracking): Global
    /// Privacy Control denies it by default in every regime.
    /// </summary>
    public bool SaleOrSharing { get; set; }

    /// <summary>The services in this category and the cookies they store.</summary>
    public IList<ServiceDeclaration> Services { get; set; } = [];

    /// <summary>The category's title shown to visitors. Default: the built-in text for the default categories, else the key.</summary>
    public string? Title { get; set; }

    /// <summary>What the category is for, shown to visitors.</summary>
    public string? Description { get; set; }

    /// <summary>
    /// Titles and descriptions per culture (<c>fr</c>, <c>fr-CA</c>); the request's UI culture picks
    /// the closest one, falling back to <see cref="Title"/> and <see cref="Description"/>.
    /// </summary>
    public IDictionary<string, ConsentText> Translations { get; set; } = new Dictionary<string, ConsentText>(StringComparer.OrdinalIgnoreCase);
}
