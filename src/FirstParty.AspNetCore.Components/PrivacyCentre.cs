namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;PrivacyCentre /&gt;</c>, for the privacy page: the current choices, the ids stored on this
/// browser, the preferences form, withdraw and forget, as <c>&lt;privacy-centre /&gt;</c> renders them.
/// </summary>
public sealed class PrivacyCentre : FirstPartyMarkupComponent
{
    private protected override MarkupRequest Request => new(MarkupKind.PrivacyCentre);
}
