using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.JSInterop;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;ConsentGate Consent="analytics"&gt;...&lt;/ConsentGate&gt;</c>, with an optional
/// <c>&lt;Fallback&gt;</c>: content that needs a category or <c>category/service</c>, like
/// <c>&lt;consent-block&gt;</c>. Granted: the content, no wrapper. Not granted: in a static render the
/// tag helper's placeholder (the content inert in a <c>&lt;template&gt;</c> that firstparty.js swaps in on
/// consent, and the fallback); in an interactive render the fallback, replaced by the content as soon
/// as the cascading state grants it. <c>Consent="!marketing"</c> shows the content only while
/// marketing is not granted.
/// </summary>
public sealed class ConsentGate : ComponentBase
{
    /// <summary>The category or <c>category/service</c> the content needs; a leading <c>!</c> inverts it.</summary>
    [Parameter]
    [EditorRequired]
    public string Consent { get; set; } = string.Empty;

    /// <summary>The content that needs consent.</summary>
    [Parameter]
    public RenderFragment? ChildContent { get; set; }

    /// <summary>What shows while consent is not granted.</summary>
    [Parameter]
    public RenderFragment? Fallback { get; set; }

    /// <summary>The cascading consent state.</summary>
    [CascadingParameter]
    public ConsentState? State { get; set; }

    [Inject]
    internal FirstPartyStateStore Store { get; set; } = null!;

    [Inject]
    internal IJSRuntime JS { get; set; } = null!;

    /// <inheritdoc />
    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        var key = Consent.Trim();
        var inverted = key.StartsWith('!');
        key = inverted ? key[1..] : key;
        var granted = (State ?? ConsentState.None).IsGranted(key);
        if (inverted ? !granted : granted)
        {
            builder.AddContent(0, ChildContent);
            return;
        }

        if (inverted)
        {
            return;
        }

        if (RendererInfo.IsInteractive)
        {
            builder.AddContent(1, Fallback);
            return;
        }

        builder.OpenElement(2, "div");
        builder.AddAttribute(3, "data-fp-placeholder", key);
        builder.AddAttribute(4, "data-fp-block", true);
        builder.OpenElement(5, "template");
        builder.AddAttribute(6, "data-fp-embed", true);
        builder.AddContent(7, ChildContent);
        builder.CloseElement();
        builder.AddContent(8, Fallback);
        builder.CloseElement();
    }

    /// <inheritdoc />
    protected override Task OnAfterRenderAsync(bool firstRender)
        => firstRender && RendererInfo.IsInteractive ? Store.ListenAsync(JS) : Task.CompletedTask;
}
