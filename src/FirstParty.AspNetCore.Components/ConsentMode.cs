namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;ConsentMode /&gt;</c>, in <c>&lt;head&gt;</c> before any Google tag (in App.razor, rendered
/// statically, so the script runs): Google Consent Mode v2 as <c>&lt;consent-mode /&gt;</c> renders it,
/// with the request's nonce.
/// </summary>
public sealed class ConsentMode : FirstPartyMarkupComponent
{
    private protected override MarkupRequest Request => new(MarkupKind.ConsentMode);
}
