namespace FirstParty.AspNetCore;

/// <summary>
/// Options for the consent banner and the other consent tag helpers, bound from
/// <c>FirstParty:Banner</c>.
/// </summary>
public sealed class ConsentBannerOptions
{
    /// <summary>The layout of the first layer. Default <see cref="ConsentBannerLayout.Bar"/>.</summary>
    public ConsentBannerLayout Layout { get; set; } = ConsentBannerLayout.Bar;

    /// <summary>
    /// The site's privacy or cookie policy page, linked from the first layer (a local path such as
    /// <c>/Privacy</c> or an absolute https URL). No link when null.
    /// </summary>
    public string? PolicyUrl { get; set; }

    /// <summary>
    /// Where <c>&lt;consent-preferences-button&gt;</c> leads when JavaScript is off: a page that
    /// hosts <c>&lt;consent-preferences /&gt;</c>. When null, it leads to the current page with
    /// <c>?fp-preferences</c>, where the banner opens on its preferences.
    /// </summary>
    public string? PreferencesUrl { get; set; }

    /// <summary>
    /// The banner links FirstParty's stylesheet and script (static web assets under
    /// <c>_content/FirstParty.AspNetCore/</c>). Turn off to bundle or restyle them yourself; the
    /// banner still works without them, as plain forms. Default true.
    /// </summary>
    public bool IncludeAssets { get; set; } = true;

    /// <summary>
    /// Texts that replace the built-in ones in every culture, by name (<c>Title</c>, <c>Text</c>,
    /// <c>AcceptAll</c>, ...; the names are listed in docs/tag-helpers.md).
    /// </summary>
    public IDictionary<string, string> Texts { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Texts for one culture (<c>fr</c>, <c>de-CH</c>), by name; they win over <see cref="Texts"/>.</summary>
    public IDictionary<string, IDictionary<string, string>> Translations { get; set; } = new Dictionary<string, IDictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
}
