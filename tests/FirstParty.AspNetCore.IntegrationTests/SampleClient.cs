using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Drives a sample as a browser would: navigations carry <c>Accept: text/html</c> and
/// <c>Sec-Fetch-Dest: document</c>, and cookies are kept by hand so every Set-Cookie can be inspected.
/// </summary>
internal sealed partial class SampleClient(HttpClient client)
{
    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    public static SampleClient Create<TEntryPoint>(WebApplicationFactory<TEntryPoint> factory)
        where TEntryPoint : class
        => new(factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, AllowAutoRedirect = false }));

    public async Task<Visit> NavigateAsync(string path, string? userAgent = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        if (userAgent is not null)
        {
            request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        }

        return await SendAsync(request);
    }

    public async Task<Visit> FetchAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        return await SendAsync(request);
    }

    private async Task<Visit> SendAsync(HttpRequestMessage request)
    {
        if (Cookies.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        }

        using var response = await client.SendAsync(request);
        var setCookies = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? SetCookieHeaderValue.ParseStrictList(values.ToList())
            : [];
        foreach (var cookie in setCookies)
        {
            Cookies[cookie.Name.ToString()] = cookie.Value.ToString();
        }

        var body = await response.Content.ReadAsStringAsync();
        return new Visit((int)response.StatusCode, setCookies, body);
    }

    internal sealed record Visit(int Status, IList<SetCookieHeaderValue> SetCookies, string Body)
    {
        public SetCookieHeaderValue? Cookie(string name) => SetCookies.SingleOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal));

        public string? Data(string attribute)
        {
            var match = Regex.Match(Body, $"<[^>]*\\b{Regex.Escape(attribute)}(?:=\"[^\"]*\")?[^>]*>([^<]*)<");
            return match.Success ? match.Groups[1].Value : null;
        }
    }
}
