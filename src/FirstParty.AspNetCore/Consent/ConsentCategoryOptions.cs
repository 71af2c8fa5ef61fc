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
    public IList<ConsentServiceOptions> Services { get; set; } = [];
}
