using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;ConsentPreferencesButton /&gt;</c>, for a footer: the "Cookie settings" link of
/// <c>&lt;consent-preferences-button /&gt;</c>. firstparty.js opens the preferences in place; without
/// JavaScript the link loads the page with the banner open. Child content replaces the text.
/// </summary>
public sealed class ConsentPreferencesButton : FirstPartyMarkupComponent
{
    /// <summary>The link's content instead of the built-in, translated "Cookie settings".</summary>
    [Parameter]
    public RenderFragment? ChildContent { get; set; }

    private protected override MarkupRequest Request => new(ChildContent is null ? MarkupKind.PreferencesButton : MarkupKind.PreferencesUrl);

    /// <inheritdoc />
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        if (ChildContent is null)
        {
            base.BuildRenderTree(builder);
            return;
        }

        // Your content inside the tag helper's link: the same attributes, the URL from the server.
        builder.OpenElement(10, "a");
        builder.AddAttribute(11, "href", Markup ?? string.Empty);
        builder.AddAttribute(12, "data-fp-open-preferences", true);
        builder.AddAttribute(13, "class", "fp-open-preferences");

        // Not Blazor's enhanced navigation: firstparty.js opens the preferences in place, and without it the link loads the page.
        builder.AddAttribute(14, "data-enhance-nav", "false");
        builder.AddContent(15, ChildContent);
        builder.CloseElement();
    }
}
