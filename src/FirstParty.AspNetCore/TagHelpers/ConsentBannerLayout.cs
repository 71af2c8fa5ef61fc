namespace FirstParty.AspNetCore;

/// <summary>Where and how <c>&lt;consent-banner /&gt;</c> shows its first layer.</summary>
public enum ConsentBannerLayout
{
    /// <summary>A bar across the bottom of the viewport; the page stays usable.</summary>
    Bar,

    /// <summary>A box in the bottom corner; the page stays usable.</summary>
    Box,

    /// <summary>A modal dialog (with a focus trap once the script runs); a region at the top without JavaScript.</summary>
    Dialog,
}
