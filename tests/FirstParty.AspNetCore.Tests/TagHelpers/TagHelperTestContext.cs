using FirstParty.AspNetCore.Internal;
using System.Globalization;
using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.TagHelpers;
using FirstParty.AspNetCore.Tests.TestUtils;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.TagHelpers;

/// <summary>
/// A real DI container with FirstParty registered (in-memory key ring, fake clock, a recording view
/// renderer instead of Razor partials) and the plumbing to run a tag helper by hand: an
/// <see cref="HttpContext"/> with a consent state, a <see cref="ViewContext"/>, and the
/// <see cref="TagHelperContext"/>/<see cref="TagHelperOutput"/> pair the Razor runtime would build.
/// </summary>
internal sealed class TagHelperTestContext : IDisposable
{
    public const string Nonce = "n0nce-value";

    private readonly List<IServiceScope> _scopes = [];

    private TagHelperTestContext(Action<FirstPartyOptions>? configure, Action<IFirstPartyBuilder>? add, Action<IServiceCollection>? register)
    {
        // The protector of allow-once tokens also checks expiry against the real clock: start there.
        Time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Time);
        var builder = services.AddFirstParty(o =>
        {
            ConfigureDefaults(o);
            configure?.Invoke(o);
        });
        add?.Invoke(builder);
        register?.Invoke(services);
        TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
        services.RemoveAll<IConsentViewRenderer>();
        services.AddSingleton<IConsentViewRenderer>(Renderer);
        Services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public RecordingViewRenderer Renderer { get; } = new();

    public ConsentPolicy Policy => Services.GetRequiredService<ConsentPolicy>();

    public AllowOnceTokens AllowOnce => Services.GetRequiredService<AllowOnceTokens>();

    /// <param name="configure">Options on top of the test categories.</param>
    /// <param name="add">Features added through the builder (provider profiles, tracking providers).</param>
    /// <param name="register">More services (fake logging, test doubles).</param>
    public static TagHelperTestContext Create(Action<FirstPartyOptions>? configure = null, Action<IFirstPartyBuilder>? add = null, Action<IServiceCollection>? register = null)
        => new(configure, add, register);

    /// <summary>
    /// Categories for every test: the defaults, with titled services in <c>preferences</c> and
    /// <c>marketing</c> (two of them, so per-service choices can differ within a category).
    /// </summary>
    private static void ConfigureDefaults(FirstPartyOptions options)
    {
        options.Consent.Categories =
        [
            new() { Key = "necessary", Required = true },
            new()
            {
                Key = "preferences",
                Services =
                {
                    new()
                    {
                        Key = "ui",
                        Title = "Display settings",
                        Cookies =
                        {
                            new CookieDeclaration { Name = "ui_theme", Purpose = "Your colour theme." },
                            new CookieDeclaration { Name = "ui_tz", Lifetime = TimeSpan.FromHours(3), Purpose = "Your time zone." },
                            new CookieDeclaration { Name = "ui_tip", Lifetime = TimeSpan.FromMinutes(30), Purpose = "A tip was shown." },
                        },
                    },
                },
            },
            new() { Key = "analytics" },
            new()
            {
                Key = "marketing",
                SaleOrSharing = true,
                Title = "Ads and videos",
                Services =
                {
                    new()
                    {
                        Key = "youtube",
                        Title = "YouTube",
                        Provider = "Google",
                        LocalStorageKeys = { "yt-remote-device-id" },
                        Cookies = { new CookieDeclaration { Name = "VISITOR_INFO1_LIVE", Domain = ".youtube.com", Lifetime = TimeSpan.FromDays(180), Purpose = "Video preferences." } },
                    },
                    new()
                    {
                        Key = "vimeo",
                        Title = "Vimeo",
                        Provider = "Vimeo",
                        Cookies = { new CookieDeclaration { Name = "vuid", Domain = ".vimeo.com", Lifetime = TimeSpan.FromDays(365), Purpose = "Vimeo viewer id." } },
                    },
                },
            },
        ];
    }

    /// <summary>A GET request for <paramref name="url"/> (path and query) with the container's services.</summary>
    public DefaultHttpContext CreateHttpContext(string url = "/page", string? pathBase = null, string? userAgent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/140.0")
    {
        var scope = Services.CreateScope();
        _scopes.Add(scope);
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Request.Method = HttpMethods.Get;
        http.Request.Scheme = "https";
        http.Request.Host = new HostString("shop.example");
        http.Request.PathBase = pathBase is null ? PathString.Empty : new PathString(pathBase);
        var question = url.IndexOf('?', StringComparison.Ordinal);
        http.Request.Path = new PathString(question < 0 ? url : url[..question]);
        http.Request.QueryString = question < 0 ? QueryString.Empty : new QueryString(url[question..]);
        if (userAgent is not null)
        {
            http.Request.Headers.UserAgent = userAgent;
        }

        return http;
    }

    /// <summary>A current decision granting <paramref name="granted"/> (keys or <c>category/service</c>).</summary>
    public ConsentRecord Decision(params string[] granted) => Decision(ConsentRegime.OptIn, granted);

    public ConsentRecord Decision(ConsentRegime regime, params string[] granted)
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        return new ConsentRecord(RandomIds.NewUuid(), Policy.Options.Revision, now, now + 86_400, ConsentSources.Custom, regime, null, granted);
    }

    /// <summary>Puts the consent state the middleware would resolve on the request.</summary>
    public ConsentFeature SetConsent(HttpContext http, ConsentRegime regime, ConsentRecord? current, bool gpc = false, ConsentRecord? previous = null)
    {
        var feature = new ConsentFeature(Policy, current, previous, regime, null, gpc);
        http.Features.Set<IConsentFeature>(feature);
        return feature;
    }

    public ConsentFeature SetUndecided(HttpContext http, ConsentRegime regime = ConsentRegime.OptIn, bool gpc = false)
        => SetConsent(http, regime, current: null, gpc);

    public ConsentFeature SetDecided(HttpContext http, params string[] granted)
        => SetConsent(http, ConsentRegime.OptIn, Decision(granted));

    /// <summary>The request token the request's antiforgery feature holds (the same pair for the whole request).</summary>
    public static string RequestToken(HttpContext http)
        => http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http).RequestToken!;

    public static ViewContext ViewContextFor(HttpContext http) => new() { HttpContext = http };

    /// <summary>Resolves a tag helper with constructor dependencies (localizers) from the container.</summary>
    public T Create<T>()
        where T : ITagHelper
        => ActivatorUtilities.CreateInstance<T>(Services);

    /// <summary>Runs a tag helper over an element whose child content is <paramref name="childContent"/>.</summary>
    public static Task<Rendered> RunAsync(
        ITagHelper helper,
        string tagName,
        TagHelperAttributeList? attributes = null,
        string childContent = "",
        TagMode tagMode = TagMode.StartTagAndEndTag,
        string culture = "en")
        => RunAsync(helper, tagName, attributes, _ => Task.FromResult(childContent), tagMode, culture);

    /// <summary>
    /// Runs a tag helper the way the Razor runtime does: <c>Init</c>, then <c>ProcessAsync</c>, then
    /// the child content as the element's content when the helper left it unmodified. The child
    /// content is produced (once) by <paramref name="childContent"/>, with the element's context so
    /// nested tag helpers can share its <see cref="TagHelperContext.Items"/>.
    /// </summary>
    public static async Task<Rendered> RunAsync(
        ITagHelper helper,
        string tagName,
        TagHelperAttributeList? attributes,
        Func<TagHelperContext, Task<string>> childContent,
        TagMode tagMode = TagMode.StartTagAndEndTag,
        string culture = "en")
    {
        var previousCulture = CultureInfo.CurrentCulture;
        var previousUiCulture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var all = attributes ?? [];
            var context = new TagHelperContext(tagName, new TagHelperAttributeList(all), new Dictionary<object, object>(), Guid.NewGuid().ToString("N"));
            TagHelperContent? cached = null;
            var output = new TagHelperOutput(tagName, new TagHelperAttributeList(all), async (useCachedResult, encoder) =>
            {
                if (cached is null || !useCachedResult)
                {
                    var content = new DefaultTagHelperContent();
                    content.SetHtmlContent(await childContent(context));
                    cached = content;
                }

                return cached;
            })
            {
                TagMode = tagMode,
            };

            helper.Init(context);
            await helper.ProcessAsync(context, output);
            if (!output.IsContentModified)
            {
                output.Content.SetHtmlContent(await output.GetChildContentAsync());
            }

            using var writer = new StringWriter(CultureInfo.InvariantCulture);
            output.WriteTo(writer, HtmlEncoder.Default);
            return new Rendered(output, writer.ToString());
        }
        finally
        {
            CultureInfo.CurrentCulture = previousCulture;
            CultureInfo.CurrentUICulture = previousUiCulture;
        }
    }

    /// <summary>Every <c>&lt;input type="hidden"&gt;</c> as (name, decoded value), in document order.</summary>
    public static IReadOnlyList<(string Name, string Value)> HiddenFields(string html)
        => [.. Regex.Matches(html, "<input\\b[^>]*>")
            .Select(m => m.Value)
            .Where(tag => tag.Contains("type=\"hidden\"", StringComparison.Ordinal))
            .Select(tag => (
                WebUtility.HtmlDecode(Regex.Match(tag, "\\bname=\"([^\"]*)\"").Groups[1].Value),
                WebUtility.HtmlDecode(Regex.Match(tag, "\\bvalue=\"([^\"]*)\"").Groups[1].Value)))];

    /// <summary>The string value of an output attribute, or null when absent.</summary>
    public static string? Attribute(TagHelperOutput output, string name)
        => output.Attributes.TryGetAttribute(name, out var attribute) ? attribute.Value?.ToString() : null;

    public void Dispose()
    {
        foreach (var scope in _scopes)
        {
            scope.Dispose();
        }

        Services.Dispose();
    }
}

/// <summary>A tag helper's output and how it writes as HTML.</summary>
internal sealed record Rendered(TagHelperOutput Output, string Html);

/// <summary>Small fluent helper so a test can build and configure a request in one expression.</summary>
internal static class HttpContextTestExtensions
{
    public static T With<T>(this T http, Action<T> configure)
        where T : HttpContext
    {
        configure(http);
        return http;
    }
}

/// <summary>Stands in for Razor partial rendering: records each view and model, returns a marker.</summary>
internal sealed class RecordingViewRenderer : IConsentViewRenderer
{
    private readonly List<(string ViewName, object Model)> _calls = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<(string ViewName, object Model)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    public static string Marker(string viewName) => $"<!--view:{viewName}-->";

    public Task<IHtmlContent> RenderAsync(ViewContext viewContext, string viewName, object model)
    {
        lock (_lock)
        {
            _calls.Add((viewName, model));
        }

        return Task.FromResult<IHtmlContent>(new HtmlString(Marker(viewName)));
    }

    /// <summary>The model of the single render call, which must have been for <paramref name="viewName"/>.</summary>
    public T Single<T>(string viewName)
    {
        var (name, model) = Assert.Single(Calls);
        Assert.Equal(viewName, name);
        return Assert.IsType<T>(model);
    }
}
