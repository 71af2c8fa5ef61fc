using Microsoft.AspNetCore.Components;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;ConsentBanner /&gt;</c>, in the layout: what <c>&lt;consent-banner /&gt;</c> renders (the banner
/// when a decision is needed or <c>?fp-preferences</c> asks for it, the script configuration, the
/// status region, FirstParty's stylesheet and script). In static SSR its forms post to the consent
/// endpoint with the antiforgery token and work without JavaScript.
/// </summary>
public sealed class ConsentBanner : FirstPartyMarkupComponent
{
    /// <summary>Overrides <c>FirstParty:Banner:Layout</c> for this banner: <c>Bar</c>, <c>Box</c> or <c>Dialog</c>.</summary>
    [Parameter]
    public string? Layout { get; set; }

    private protected override MarkupRequest Request => new(MarkupKind.Banner, Layout);
}
