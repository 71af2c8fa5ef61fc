using System.Net.Http.Json;
using System.Text.Json;

namespace FirstParty.AspNetCore.Testing;

/// <summary>How the HTTP audit decides and reads the state: the consent endpoint, with antiforgery, as the consent script does.</summary>
internal static class AuditDecision
{
    public static async Task PostAsync(HttpCookieAudit.Jar jar, HttpClient client, string pathPrefix, CookieAuditState state, string returnUrl)
    {
        // The script's way to post from markup rendered without a token: ask the endpoint for one.
        using var tokenRequest = HttpCookieAudit.Json(HttpMethod.Get, pathPrefix + "/consent?antiforgery");
        using var tokenAnswer = await jar.SendAsync(client, tokenRequest).ConfigureAwait(false);
        tokenAnswer.EnsureSuccessStatusCode();
        var antiforgery = (await tokenAnswer.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false)).GetProperty("antiforgery");

        var fields = new List<KeyValuePair<string, string>> { new("choice", state.Choice!), new("returnUrl", returnUrl) };
        fields.AddRange(state.Categories.Select(c => new KeyValuePair<string, string>("category", c)));
        using var post = HttpCookieAudit.Json(HttpMethod.Post, pathPrefix + "/consent");
        post.Content = new FormUrlEncodedContent(fields);
        post.Headers.TryAddWithoutValidation(antiforgery.GetProperty("headerName").GetString()!, antiforgery.GetProperty("token").GetString());
        using var answer = await jar.SendAsync(client, post).ConfigureAwait(false);
        if (!answer.IsSuccessStatusCode)
        {
            throw new InvalidOperationException(
                $"The consent endpoint refused the decision of state {state.Name}: {(int)answer.StatusCode} {await answer.Content.ReadAsStringAsync().ConfigureAwait(false)}");
        }
    }

    public static async Task<AuditedState> ReadStateAsync(HttpResponseMessage answer, CookieAuditState state, IReadOnlyList<string> required, IReadOnlyList<AuditedPage> pages)
    {
        answer.EnsureSuccessStatusCode();
        var json = await answer.Content.ReadFromJsonAsync<JsonElement>().ConfigureAwait(false);
        return AuditStateJson.FromJson(json, state, required, pages);
    }
}
