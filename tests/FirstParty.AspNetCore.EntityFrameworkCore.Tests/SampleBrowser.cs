using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// One browser: its cookies are kept by hand, so the same browser can talk to two hosts of a web
/// farm. Decisions are posted as the enhancement script posts them (JSON, antiforgery header).
/// </summary>
internal sealed class SampleBrowser
{
    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    public async Task<JsonElement> StateAsync(HttpClient host, bool antiforgery = false)
    {
        using var response = await SendAsync(host, new HttpRequestMessage(HttpMethod.Get, antiforgery ? "/_fp/consent?antiforgery" : "/_fp/consent"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Posts a choice and returns the status code (the answer must never be an error the browser cannot handle).</summary>
    public async Task<HttpStatusCode> ChooseAsync(HttpClient host, string choice, string returnUrl = "/Menu?table=4")
    {
        var token = (await StateAsync(host, antiforgery: true)).GetProperty("antiforgery");
        var request = new HttpRequestMessage(HttpMethod.Post, "/_fp/consent")
        {
            Content = new FormUrlEncodedContent([new("choice", choice), new("returnUrl", returnUrl)]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        using var response = await SendAsync(host, request);
        return response.StatusCode;
    }

    /// <summary>Posts <c>/_fp/forget</c> and returns the status code.</summary>
    public async Task<HttpStatusCode> ForgetAsync(HttpClient host)
    {
        var token = (await StateAsync(host, antiforgery: true)).GetProperty("antiforgery");
        var request = new HttpRequestMessage(HttpMethod.Post, "/_fp/forget");
        request.Headers.TryAddWithoutValidation(token.GetProperty("headerName").GetString()!, token.GetProperty("token").GetString());
        using var response = await SendAsync(host, request);
        return response.StatusCode;
    }

    public async Task<string> GetStringAsync(HttpClient host, string path)
    {
        using var response = await SendAsync(host, new HttpRequestMessage(HttpMethod.Get, path));
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>A page navigation with this browser's cookies.</summary>
    public HttpRequestMessage Request(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.TryAddWithoutValidation("Accept", "text/html");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        Prepare(request);
        return request;
    }

    /// <summary>Keeps the cookies a response sets or deletes.</summary>
    public void Keep(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues(HeaderNames.SetCookie, out var values))
        {
            foreach (var cookie in SetCookieHeaderValue.ParseList([.. values]))
            {
                if (cookie.Expires is { } expires && expires < DateTimeOffset.UtcNow || cookie.MaxAge is { } age && age <= TimeSpan.Zero)
                {
                    Cookies.Remove(cookie.Name.Value!);
                }
                else
                {
                    Cookies[cookie.Name.Value!] = cookie.Value.Value!;
                }
            }
        }
    }

    private void Prepare(HttpRequestMessage request)
    {
        if (Cookies.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) FirstPartyTests");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpClient host, HttpRequestMessage request)
    {
        using (request)
        {
            Prepare(request);
            var response = await host.SendAsync(request);
            Keep(response);
            return response;
        }
    }
}
