namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;ConsentPreferences /&gt;</c>: the full preferences form inline, pre-filled with the current
/// choice, as <c>&lt;consent-preferences /&gt;</c> renders it (a plain form with its antiforgery token).
/// </summary>
public sealed class ConsentPreferences : FirstPartyMarkupComponent
{
    private protected override MarkupRequest Request => new(MarkupKind.Preferences);
}
