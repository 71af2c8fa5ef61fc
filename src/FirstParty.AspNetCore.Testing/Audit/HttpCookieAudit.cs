using System.Net.Http.Headers;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// The HTTP mode: each state in a fresh cookie jar kept by hand (so every attribute of every
/// Set-Cookie is seen), decisions posted to the consent endpoint with an antiforgery token as the
/// consent script posts them, pages loaded as navigations. Scripts do not run.
/// </summary>
internal sealed class HttpCookieAudit(HttpClient client, AuditDeclarations declarations, string pathPrefix)
{
    public async Task<CookieAuditReport> RunAsync(IReadOnlyList<string> paths, IReadOnlyList<CookieAuditState> states)
    {
        var audited = new List<AuditedState>(states.Count);
        foreach (var state in states)
        {
            var jar = new Jar(client.BaseAddress!);
            if (state.Choice is not null)
            {
                await NavigateAsync(jar, paths[0]).ConfigureAwait(false);
                await AuditDecision.PostAsync(jar, client, pathPrefix, state, paths[0]).ConfigureAwait(false);
            }

            var pages = new List<AuditedPage>(paths.Count);
            foreach (var path in paths)
            {
                var (status, html) = await NavigateAsync(jar, path).ConfigureAwait(false);
                pages.Add(new AuditedPage
                {
                    Path = path,
                    Status = status,
                    RejectOnFirstLayer = state.Choice is null ? PageMarkup.HasRejectOnFirstLayer(html) : null,
                    WithdrawalReachable = PageMarkup.HasWithdrawal(html),
                    Items = [.. jar.Cookies.Select(c => declarations.Cookie(c.Name, c.Domain, c.Path, c.Lifetime, c.HttpOnly, c.Secure, c.SameSite))],
                });
            }

            using var answer = await jar.SendAsync(client, Json(HttpMethod.Get, pathPrefix + "/consent")).ConfigureAwait(false);
            audited.Add(await AuditDecision.ReadStateAsync(answer, state, declarations.RequiredCategories, pages).ConfigureAwait(false));
        }

        return new CookieAuditReport { Mode = "http", States = audited };
    }

    internal static HttpRequestMessage Json(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "empty");
        return request;
    }

    private async Task<(int Status, string Html)> NavigateAsync(Jar jar, string path)
    {
        var target = path;
        for (var hop = 0; hop < 10; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, target);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Mode", "navigate");
            using var response = await jar.SendAsync(client, request).ConfigureAwait(false);
            if ((int)response.StatusCode is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                target = location.ToString();
                continue;
            }

            return ((int)response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
        }

        throw new InvalidOperationException($"{path} redirects more than 10 times.");
    }

    /// <summary>A browser's cookie jar for one origin, reduced to what the audit needs.</summary>
    internal sealed class Jar(Uri origin)
    {
        private readonly Dictionary<(string Name, string Domain, string Path), StoredCookie> _cookies = [];

        public IEnumerable<StoredCookie> Cookies => _cookies.Values;

        public async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request)
        {
            var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : (request.RequestUri?.OriginalString ?? "/").Split('?')[0];
            var sent = _cookies.Values
                .Where(c => path.StartsWith(c.Path, StringComparison.Ordinal) && (!c.Secure || origin.Scheme == Uri.UriSchemeHttps))
                .Select(c => $"{c.Name}={c.Value}")
                .ToList();
            if (sent.Count > 0)
            {
                request.Headers.TryAddWithoutValidation(HeaderNames.Cookie, string.Join("; ", sent));
            }

            var response = await client.SendAsync(request).ConfigureAwait(false);
            var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
            foreach (var header in response.GetSetCookies())
            {
                var domain = header.Domain.HasValue ? header.Domain.Value!.TrimStart('.') : origin.Host;
                var cookiePath = header.Path.HasValue ? header.Path.Value! : "/";
                var key = (header.Name.Value!, domain, cookiePath);
                var lifetime = header.MaxAge ?? (header.Expires - now);
                if (lifetime <= TimeSpan.Zero)
                {
                    _cookies.Remove(key);
                    continue;
                }

                _cookies[key] = new StoredCookie(
                    key.Item1,
                    header.Value.Value ?? string.Empty,
                    domain,
                    cookiePath,
                    lifetime,
                    header.HttpOnly,
                    header.Secure,
                    header.SameSite == Microsoft.Net.Http.Headers.SameSiteMode.Unspecified ? null : header.SameSite.ToString());
            }

            return response;
        }
    }

    internal sealed record StoredCookie(string Name, string Value, string Domain, string Path, TimeSpan? Lifetime, bool HttpOnly, bool Secure, string? SameSite);
}
