using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.JSInterop;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// A component that renders a tag helper's markup: asked of the server while rendering a page
/// request, taken from the persisted copy on the interactive side. The markup stays as rendered when
/// the visitor decides: firstparty.js updates it in place (removes the banner, revives gated scripts).
/// </summary>
public abstract class FirstPartyMarkupComponent : ComponentBase
{
    private string? _markup;
    private string? _requested;

    private protected FirstPartyMarkupComponent()
    {
    }

    [Inject]
    internal FirstPartyStateStore Store { get; set; } = null!;

    [Inject]
    internal IJSRuntime JS { get; set; } = null!;

    private protected abstract MarkupRequest Request { get; }

    private protected string? Markup => _markup;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        var request = Request;
        var key = request.Key;
        if (key == _requested)
        {
            return;
        }

        _requested = key;
        _markup = await Store.GetMarkupAsync(request, RendererInfo.IsInteractive, becomesInteractive: AssignedRenderMode is not null).ConfigureAwait(true);
    }

    /// <inheritdoc />
    protected override void BuildRenderTree(RenderTreeBuilder builder) => MarkupContent.Write(builder, _markup, RendererInfo.IsInteractive);

    /// <inheritdoc />
    protected override Task OnAfterRenderAsync(bool firstRender)
        => firstRender && RendererInfo.IsInteractive ? Store.ListenAsync(JS) : Task.CompletedTask;
}
