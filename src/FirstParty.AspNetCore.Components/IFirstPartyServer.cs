namespace FirstParty.AspNetCore.Components;

/// <summary>
/// The server side, implemented in FirstParty.AspNetCore (<c>AddFirstParty().AddComponents()</c>):
/// the request's state and the tag helpers' markup. Absent in a WebAssembly client, and answering
/// nothing where there is no page request (an interactive circuit), where the persisted copy serves.
/// </summary>
internal interface IFirstPartyServer
{
    /// <summary>The request's state, or null without a page request.</summary>
    ConsentStateJson? ReadState();

    /// <summary>The consent endpoint's URL (path base and prefix included), or null without a page request.</summary>
    string? ConsentEndpoint { get; }

    /// <summary>The markup the tag helper renders for this request, or null without a page request.</summary>
    Task<string?> RenderAsync(MarkupRequest request);
}
