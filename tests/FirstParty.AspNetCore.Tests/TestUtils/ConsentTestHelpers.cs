using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SetCookieHeaderValue = Microsoft.Net.Http.Headers.SetCookieHeaderValue;

namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>The whole of one response: status, headers, Set-Cookie headers and body.</summary>
internal sealed record RawResponse(
    HttpStatusCode Status,
    IReadOnlyDictionary<string, string[]> Headers,
    string? ContentType,
    IList<SetCookieHeaderValue> SetCookies,
    IList<string> RawSetCookies,
    string Body)
{
    public string? Location => Header("Location");

    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;

    /// <summary>The single Set-Cookie for a name that is not a deletion.</summary>
    public SetCookieHeaderValue? Written(string name)
        => SetCookies.SingleOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal) && !IsDeletion(c));

    public IReadOnlyList<SetCookieHeaderValue> Named(string name)
        => [.. SetCookies.Where(c => c.Name.Equals(name, StringComparison.Ordinal))];

    public IReadOnlyList<SetCookieHeaderValue> Deletions(string name)
        => [.. Named(name).Where(IsDeletion)];

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Body);
        return document.RootElement.Clone();
    }

    public static bool IsDeletion(SetCookieHeaderValue cookie) => cookie.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero;
}

/// <summary>Consent-specific helpers over <see cref="TestApp"/>.</summary>
internal static class ConsentTestHelpers
{
    public const string ConsentCookie = "_fp_consent";
    public const string ConsentPath = "/_fp/consent";
    public const string ForgetPath = "/_fp/forget";

    /// <summary>An unmapped path answered by a terminal middleware after UseFirstParty: it reports GetConsent().</summary>
    public const string ProbePath = "/probe/consent";

    public static readonly string[] AllCategories = ["necessary", "preferences", "analytics", "marketing"];

    public static Task<TestApp> StartConsentAppAsync(string regime = "OptIn", Action<TestAppOptions>? configure = null)
        => TestApp.StartAsync(o =>
        {
            o.Configuration["FirstParty:Consent:Regime"] = regime;
            AddConsentProbe(o);
            configure?.Invoke(o);
        });

    /// <summary>Adds <see cref="ProbePath"/>, which answers with what <c>HttpContext.GetConsent()</c> says.</summary>
    public static void AddConsentProbe(TestAppOptions options)
    {
        var previous = options.ConfigureServices;
        options.ConfigureServices = services =>
        {
            previous?.Invoke(services);
            services.AddSingleton<IStartupFilter, ConsentProbeStartupFilter>();
        };
    }

    public static async Task<RawResponse> SendRawAsync(this TestApp app, HttpMethod method, string path, CookieJar? jar, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (jar is not null && jar.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", jar.ToHeader());
        }

        configure?.Invoke(request);
        using var response = await app.Client.SendAsync(request);
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in response.Headers.Concat(response.Content.Headers))
        {
            headers[header.Key] = [.. header.Value];
        }

        var raw = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.ToList() : [];
        var setCookies = SetCookieHeaderValue.ParseList(raw);
        var body = await response.Content.ReadAsStringAsync();
        jar?.Apply(setCookies);
        return new RawResponse(response.StatusCode, headers, response.Content.Headers.ContentType?.MediaType, setCookies, raw, body);
    }

    /// <summary>A top-level navigation (<c>Accept: text/html</c>).</summary>
    public static Task<RawResponse> BrowseAsync(this TestApp app, string path, CookieJar? jar, Action<HttpRequestMessage>? configure = null)
        => app.SendRawAsync(HttpMethod.Get, path, jar, request =>
        {
            request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            configure?.Invoke(request);
        });

    /// <summary>What GetConsent() says on a navigation to <see cref="ProbePath"/>.</summary>
    public static async Task<(RawResponse Response, JsonElement Consent)> ProbeAsync(this TestApp app, CookieJar? jar, Action<HttpRequestMessage>? configure = null)
    {
        var response = await app.BrowseAsync(ProbePath, jar, configure);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return (response, response.Json());
    }

    public static Task<RawResponse> GetStateAsync(this TestApp app, CookieJar? jar, Action<HttpRequestMessage>? configure = null)
        => app.SendRawAsync(HttpMethod.Get, ConsentPath, jar, request =>
        {
            request.Headers.TryAddWithoutValidation("Accept", "application/json");
            configure?.Invoke(request);
        });

    /// <summary>
    /// Issues an antiforgery token pair the way a page would (GetAndStoreTokens on a request of this
    /// app), puts the cookie token in the jar and returns the request token.
    /// </summary>
    public static string IssueAntiforgery(this TestApp app, CookieJar jar)
    {
        var tokens = app.GetAntiforgeryTokens();
        jar[app.AntiforgeryCookieName()] = tokens.CookieToken;
        return tokens.RequestToken!;
    }

    public static AntiforgeryTokenSet GetAntiforgeryTokens(this TestApp app)
    {
        using var scope = app.Services.CreateScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(app.Server.BaseAddress.Authority);
        var tokens = scope.ServiceProvider.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        Assert.NotNull(tokens.CookieToken);
        Assert.NotNull(tokens.RequestToken);
        return tokens;
    }

    public static string AntiforgeryCookieName(this TestApp app)
        => app.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value.Cookie.Name!;

    /// <summary>Posts a form; the antiforgery token is added unless <paramref name="token"/> is false.</summary>
    public static Task<RawResponse> PostFormAsync(
        this TestApp app,
        CookieJar jar,
        IEnumerable<KeyValuePair<string, string>> fields,
        bool json = false,
        bool token = true,
        string path = ConsentPath,
        Action<HttpRequestMessage>? configure = null)
    {
        var all = fields.ToList();
        if (token)
        {
            all.Add(new("__RequestVerificationToken", app.IssueAntiforgery(jar)));
        }

        return app.SendRawAsync(HttpMethod.Post, path, jar, request =>
        {
            request.Content = new FormUrlEncodedContent(all);
            if (json)
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            }

            configure?.Invoke(request);
        });
    }

    /// <summary>Posts a choice (with repeated <c>category</c> fields for custom).</summary>
    public static Task<RawResponse> ChooseAsync(this TestApp app, CookieJar jar, string choice, bool json = false, Action<HttpRequestMessage>? configure = null, params string[] categories)
        => app.PostFormAsync(jar, [new("choice", choice), .. categories.Select(c => new KeyValuePair<string, string>("category", c))], json, configure: configure);

    public static Dictionary<string, bool> Categories(this JsonElement state)
        => state.GetProperty("categories").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetBoolean(), StringComparer.Ordinal);

    /// <summary>A jar holding the consent cookie and the visitor and session cookies an accept-all minted.</summary>
    public static async Task<CookieJar> JarWithVisitorCookiesAsync(this TestApp app)
    {
        var jar = new CookieJar();
        var accepted = await app.ChooseAsync(jar, "accept-all");
        Assert.Equal(HttpStatusCode.SeeOther, accepted.Status);
        Assert.NotNull(jar[TestApp.VisitorCookie]);
        Assert.NotNull(jar[TestApp.SessionCookie]);
        return jar;
    }

    private sealed class ConsentProbeStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Run(context =>
            {
                if (!context.Request.Path.Equals(ProbePath, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                var consent = context.GetConsent();
                var visitor = context.GetVisitor();
                return context.Response.WriteAsJsonAsync(new
                {
                    present = consent is not null,
                    decided = consent?.IsDecided,
                    stale = consent?.IsStale,
                    consentId = consent?.ConsentId,
                    revision = consent?.Revision,
                    regime = consent?.Regime.ToString(),
                    region = consent?.Region,
                    gpc = consent?.GlobalPrivacyControl,
                    source = consent?.Source,
                    categories = consent?.Categories,
                    visitorId = visitor?.VisitorId,
                });
            });
        };
    }
}
