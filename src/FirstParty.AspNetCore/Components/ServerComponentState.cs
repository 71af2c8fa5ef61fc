using System.Text.Json;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Endpoints;
using FirstParty.AspNetCore.TagHelpers;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// The components' server side: the state of the page request being rendered (static SSR or
/// prerendering) in the consent endpoint's JSON shape, and the tag helpers' markup for it. An
/// interactive circuit's own connection is not a page request: it answers nothing there, and the
/// components use what the page persisted.
/// </summary>
internal sealed class ServerComponentState(IHttpContextAccessor accessor, ConsentPolicy policy) : IFirstPartyServer
{
    private HttpContext? Page => accessor.HttpContext is { } http && !http.WebSockets.IsWebSocketRequest ? http : null;

    public string? ConsentEndpoint => Page is { } http ? ConsentForms.Endpoint(http, "consent") : null;

    public ConsentStateJson? ReadState()
    {
        if (Page is not { } http)
        {
            return null;
        }

        if (http.GetConsent() is not { } consent)
        {
            // Without the middleware nothing is granted, as for the tag helpers.
            return ConsentStateJson.From(ConsentState.None, null);
        }

        // Exactly what the consent endpoint answers, so a decision's answer replaces it field for field.
        var response = ConsentStateResponse.From(consent, http.GetVisitor(), policy);
        return ConsentStateJson.FromJson(JsonSerializer.Serialize(response, EndpointJsonContext.Default.ConsentStateResponse));
    }

    public async Task<string?> RenderAsync(MarkupRequest request)
        => Page is { } http ? await TagHelperMarkup.RenderAsync(http, request).ConfigureAwait(false) : null;
}
