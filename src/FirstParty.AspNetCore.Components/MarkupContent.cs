using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace FirstParty.AspNetCore.Components;

/// <summary>How the markup components write the tag helpers' HTML.</summary>
internal static class MarkupContent
{
    /// <summary>The element that holds the markup in an interactive render.</summary>
    public const string InteractiveHost = "fp-markup";

    /// <summary>
    /// Static renders write the markup as the tag helper did. An interactive render puts it in an
    /// element of its own: firstparty.js replaces and removes nodes inside (reviving scripts, removing
    /// the banner), and the renderer then removes only that element, which is still attached.
    /// </summary>
    public static void Write(RenderTreeBuilder builder, string? markup, bool interactive)
    {
        if (string.IsNullOrEmpty(markup))
        {
            return;
        }

        if (!interactive)
        {
            builder.AddMarkupContent(0, markup);
            return;
        }

        builder.OpenElement(1, InteractiveHost);
        builder.AddMarkupContent(2, markup);
        builder.CloseElement();
    }
}
