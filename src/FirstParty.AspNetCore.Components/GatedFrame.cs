using Microsoft.AspNetCore.Components;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;GatedFrame Consent="marketing/youtube" Src="https://www.youtube-nocookie.com/embed/..." Title="..." /&gt;</c>:
/// the iframe the <c>fp-consent</c> tag helper renders. Granted, as written; not granted, a placeholder
/// holding it in an inert <c>&lt;template&gt;</c> with an explanation and the <b>Allow once</b> /
/// <b>Always allow</b> form (which works without JavaScript).
/// </summary>
public sealed class GatedFrame : FirstPartyMarkupComponent
{
    /// <summary>The category or <c>category/service</c> the embed needs.</summary>
    [Parameter]
    [EditorRequired]
    public string Consent { get; set; } = string.Empty;

    /// <summary>The embed's URL.</summary>
    [Parameter]
    [EditorRequired]
    public string Src { get; set; } = string.Empty;

    /// <summary>The frame's accessible title.</summary>
    [Parameter]
    public string? Title { get; set; }

    /// <summary>Any other attribute (<c>width</c>, <c>height</c>, <c>allow</c>, <c>loading</c>), written after the named ones.</summary>
    [Parameter(CaptureUnmatchedValues = true)]
    public IReadOnlyDictionary<string, object>? AdditionalAttributes { get; set; }

    private protected override MarkupRequest Request => new(
        MarkupKind.Gated,
        Consent,
        "iframe",
        GatedAttributes.Build([new("src", Src), .. GatedAttributes.Optional("title", Title)], AdditionalAttributes),
        string.Empty);
}
