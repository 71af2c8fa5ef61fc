using Microsoft.AspNetCore.Components;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// <c>&lt;TrackingSnippet Provider="snowplow" /&gt;</c>: a provider's scripts as
/// <c>&lt;tracking-snippet /&gt;</c> renders them: inert until its consent key is granted (firstparty.js
/// runs them in order when it is), fed with the ids the server keeps.
/// </summary>
public sealed class TrackingSnippet : FirstPartyMarkupComponent
{
    /// <summary>The provider's name: <c>ga4</c>, <c>amplitude</c>, <c>snowplow</c>, <c>matomo</c>, <c>clarity</c>, <c>plausible</c> or one you registered.</summary>
    [Parameter]
    [EditorRequired]
    public string Provider { get; set; } = string.Empty;

    private protected override MarkupRequest Request => new(MarkupKind.TrackingSnippet, Provider);
}
