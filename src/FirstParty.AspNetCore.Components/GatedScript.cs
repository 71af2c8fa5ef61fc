using Microsoft.AspNetCore.Components;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;GatedScript Consent="analytics" Src="/js/analytics.js" Defer /&gt;</c>: the script the
/// <c>fp-consent</c> tag helper renders. Granted, it renders as written, with the request's nonce; not
/// granted, it is inert (<c>type="text/plain"</c>, <c>src</c> in <c>data-fp-src</c>) and firstparty.js
/// runs it, in document order, when consent arrives. Blazor never runs a script an interactive
/// component renders: put gated scripts in statically rendered parts (App.razor, layouts, static pages).
/// </summary>
public sealed class GatedScript : FirstPartyMarkupComponent
{
    /// <summary>The category (<c>analytics</c>), service (<c>marketing/youtube</c>) or <c>!category</c> the script needs.</summary>
    [Parameter]
    [EditorRequired]
    public string Consent { get; set; } = string.Empty;

    /// <summary>The script's URL.</summary>
    [Parameter]
    public string? Src { get; set; }

    /// <summary>The script's type (<c>module</c>); kept in <c>data-fp-type</c> while gated.</summary>
    [Parameter]
    public string? Type { get; set; }

    /// <summary>Renders <c>async</c>.</summary>
    [Parameter]
    public bool Async { get; set; }

    /// <summary>Renders <c>defer</c>.</summary>
    [Parameter]
    public bool Defer { get; set; }

    /// <summary>Inline code, instead of <see cref="Src"/>.</summary>
    [Parameter]
    public string? Code { get; set; }

    /// <summary>Any other attribute, written after the named ones.</summary>
    [Parameter(CaptureUnmatchedValues = true)]
    public IReadOnlyDictionary<string, object>? AdditionalAttributes { get; set; }

    private protected override MarkupRequest Request => new(
        MarkupKind.Gated,
        Consent,
        "script",
        GatedAttributes.Build(
            [.. GatedAttributes.Optional("src", Src), .. GatedAttributes.Optional("type", Type), .. GatedAttributes.Flag("async", Async), .. GatedAttributes.Flag("defer", Defer)],
            AdditionalAttributes),
        Code);
}
