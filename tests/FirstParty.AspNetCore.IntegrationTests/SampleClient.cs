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

    /// <summary>Headers sent with every request (for example a CDN's region header).</summary>
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

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

    /// <summary>
    /// A Blazor enhanced navigation as blazor.web.js makes it: a same-origin <c>no-cors</c> fetch whose
    /// only <c>Accept</c> value flags it.
    /// </summary>
    public async Task<Visit> EnhancedNavigateAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", "text/html; blazor-enhanced-nav=on");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "no-cors");
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Site", "same-origin");
        return await SendAsync(request);
    }

    public async Task<Visit> FetchAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        return await SendAsync(request);
    }

    /// <summary>A script's request (<c>fetch</c>): any method and body, with the cookies kept so far.</summary>
    public async Task<Visit> SendAsync(HttpMethod method, string path, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        return await SendAsync(request);
    }

    /// <summary>Posts a form of <paramref name="page"/> with its antiforgery token, as a browser would.</summary>
    public async Task<Visit> PostFormAsync(string page, string action, params (string Name, string Value)[] fields)
    {
        var form = await NavigateAsync(page);
        var token = Regex.Match(form.Body, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        var content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), .. fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))]);
        using var request = new HttpRequestMessage(HttpMethod.Post, action) { Content = content };
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        return await SendAsync(request);
    }

    /// <summary>
    /// Answers the consent form of <paramref name="page"/> as a person would: reads its antiforgery
    /// token and posts the chosen button (and checked categories) to the consent endpoint.
    /// </summary>
    public async Task<Visit> ChooseAsync(string choice, string page = "/", params string[] categories)
    {
        var form = await NavigateAsync(page);
        var token = Regex.Match(form.Body, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        if (token.Length == 0)
        {
            throw new InvalidOperationException($"{page} has no consent form with an antiforgery token.");
        }

        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", token),
            new("choice", choice),
            new("returnUrl", page),
        };
        fields.AddRange(categories.Select(c => new KeyValuePair<string, string>("category", c)));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/_fp/consent") { Content = new FormUrlEncodedContent(fields) };
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
        return await SendAsync(request);
    }

    private async Task<Visit> SendAsync(HttpRequestMessage request)
    {
        foreach (var (name, value) in Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

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
            if (cookie.MaxAge == TimeSpan.Zero || cookie.Expires < DateTimeOffset.UtcNow)
            {
                Cookies.Remove(cookie.Name.ToString());
            }
            else
            {
                Cookies[cookie.Name.ToString()] = cookie.Value.ToString();
            }
        }

        var body = await response.Content.ReadAsStringAsync();
        return new Visit((int)response.StatusCode, setCookies, body, response.Headers.Location?.ToString())
        {
            ContentType = response.Content.Headers.ContentType?.MediaType,
            ContentDisposition = response.Content.Headers.ContentDisposition?.ToString(),
            ResponseHeaders = response.Headers.ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase),
        };
    }

    internal sealed record Visit(int Status, IList<SetCookieHeaderValue> SetCookies, string Body, string? Location)
    {
        /// <summary>The answer's media type, without parameters.</summary>
        public string? ContentType { get; init; }

        public string? ContentDisposition { get; init; }

        /// <summary>The answer's headers (not its content headers), several values joined with a comma.</summary>
        public IReadOnlyDictionary<string, string> ResponseHeaders { get; init; } = new Dictionary<string, string>();

        public SetCookieHeaderValue? Cookie(string name) => SetCookies.SingleOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal) && c.MaxAge != TimeSpan.Zero);

        /// <summary>The cookies the browser keeps: deletions (max-age 0 or an expiry in the past) left out.</summary>
        public IEnumerable<SetCookieHeaderValue> Stored
            => SetCookies.Where(c => c.MaxAge != TimeSpan.Zero && !(c.Expires < DateTimeOffset.UtcNow));

        public bool Deletes(string name) => SetCookies.Any(c => c.Name.Equals(name, StringComparison.Ordinal) && (c.MaxAge == TimeSpan.Zero || c.Expires < DateTimeOffset.UtcNow));

        public string? Data(string attribute)
        {
            var match = Regex.Match(Body, $"<[^>]*\\b{Regex.Escape(attribute)}(?:=\"[^\"]*\")?[^>]*>([^<]*)<");
            return match.Success ? match.Groups[1].Value : null;
        }
    }
}
