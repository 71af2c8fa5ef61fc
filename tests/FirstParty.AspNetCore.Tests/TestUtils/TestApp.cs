using System.Net;
using System.Net.Http.Json;
using System.Xml.Linq;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>What the test endpoints report about <c>HttpContext.GetVisitor()</c>.</summary>
internal sealed record VisitorSnapshot(
    string VisitorId,
    DateTimeOffset FirstSeen,
    int SessionIndex,
    string? SessionId,
    DateTimeOffset? SessionStart,
    string? PreviousSessionId,
    bool IsNewVisitor,
    bool IsNewSession)
{
    public static VisitorSnapshot? From(IVisitorFeature? visitor) => visitor is null
        ? null
        : new VisitorSnapshot(
            visitor.VisitorId,
            visitor.FirstSeen,
            visitor.SessionIndex,
            visitor.SessionId,
            visitor.SessionStart,
            visitor.PreviousSessionId,
            visitor.IsNewVisitor,
            visitor.IsNewSession);
}

/// <summary>How to build a <see cref="TestApp"/>.</summary>
internal sealed class TestAppOptions
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    /// <summary>In-memory configuration; keys are full paths such as <c>FirstParty:Visitor:Lifetime</c>.</summary>
    /// <remarks>
    /// Visitor-cookie tests run where consent is implied, so the cookies are allowed without a
    /// decision; consent tests set <c>FirstParty:Consent:Regime</c> themselves.
    /// </remarks>
    public Dictionary<string, string?> Configuration { get; } = new(StringComparer.OrdinalIgnoreCase)
    {
        ["FirstParty:Consent:Regime"] = "Implied",
    };

    public Action<FirstPartyOptions>? ConfigureFirstParty { get; set; }

    public Action<IServiceCollection>? ConfigureServices { get; set; }

    public Uri BaseAddress { get; set; } = new("http://localhost/");

    /// <summary>
    /// When null (default) each host gets its own in-memory key ring; otherwise the callback sets up
    /// Data Protection itself (for example a shared key directory).
    /// </summary>
    public Action<IDataProtectionBuilder>? ConfigureDataProtection { get; set; }

    public bool AddFirstParty { get; set; } = true;

    public DateTimeOffset Start { get; set; } = DefaultStart;
}

/// <summary>A started TestServer host running <c>UseFirstParty</c> in front of a few endpoints.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string VisitorCookie = "_fp_id";
    public const string SessionCookie = "_fp_ses";

    private TestApp(IHost host, FakeTimeProvider time, Uri baseAddress)
    {
        Host = host;
        Time = time;
        Server = host.GetTestServer();
        Server.BaseAddress = baseAddress;
        Client = Server.CreateClient();
    }

    public IHost Host { get; }

    public TestServer Server { get; }

    public HttpClient Client { get; }

    public FakeTimeProvider Time { get; }

    public IServiceProvider Services => Host.Services;

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    public static IHostBuilder CreateHostBuilder(TestAppOptions options, FakeTimeProvider time)
    {
        return new HostBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(options.Configuration))
            .ConfigureWebHost(web => web
                .UseTestServer()
                .ConfigureServices((context, services) =>
                {
                    services.AddRouting();
                    services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
                    services.AddFakeLogging();
                    if (options.AddFirstParty)
                    {
                        services.AddFirstParty(context.Configuration.GetSection(FirstPartyOptions.SectionName));
                        if (options.ConfigureFirstParty is { } configure)
                        {
                            services.Configure(configure);
                        }
                    }

                    var dataProtection = services.AddDataProtection();
                    if (options.ConfigureDataProtection is { } configureDataProtection)
                    {
                        configureDataProtection(dataProtection);
                    }
                    else
                    {
                        UseInMemoryKeyRing(services, new InMemoryXmlRepository());
                    }

                    // AddFirstParty registers TimeProvider.System with TryAdd; the fake clock replaces it.
                    services.RemoveAll<TimeProvider>();
                    services.AddSingleton<TimeProvider>(time);
                    options.ConfigureServices?.Invoke(services);
                })
                .Configure(app =>
                {
                    app.UseRouting();
                    app.UseFirstParty();
                    app.UseEndpoints(MapEndpoints);
                }));
    }

    public static async Task<TestApp> StartAsync(Action<TestAppOptions>? configure = null)
    {
        var options = new TestAppOptions();
        configure?.Invoke(options);
        var time = new FakeTimeProvider(options.Start);
        var host = CreateHostBuilder(options, time).Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return new TestApp(host, time, options.BaseAddress);
    }

    /// <summary>Keeps the Data Protection key ring in memory so tests never write to the profile directory.</summary>
    public static void UseInMemoryKeyRing(IServiceCollection services, IXmlRepository repository)
        => services.Configure<KeyManagementOptions>(o =>
        {
            o.XmlRepository = repository;
            o.XmlEncryptor = null;
        });

    public MetricCollector<long> CollectMetric(string instrumentName)
        => new(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), FirstPartyMetrics.MeterName, instrumentName);

    /// <summary>A top-level navigation: <c>GET</c> with <c>Accept: text/html</c>.</summary>
    public Task<Visit> NavigateAsync(string path = "/", CookieJar? jar = null, Action<HttpRequestMessage>? configure = null)
        => SendAsync(HttpMethod.Get, path, jar, request =>
        {
            request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
            configure?.Invoke(request);
        });

    public async Task<Visit> SendAsync(HttpMethod method, string path, CookieJar? jar, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (jar is not null && jar.Count > 0)
        {
            request.Headers.TryAddWithoutValidation("Cookie", jar.ToHeader());
        }

        configure?.Invoke(request);
        using var response = await Client.SendAsync(request);
        var setCookies = response.Headers.TryGetValues(HeaderNames.SetCookie, out var values)
            ? SetCookieHeaderValue.ParseList(values.ToList())
            : [];
        var rawSetCookies = values?.ToList() ?? [];
        VisitorSnapshot? visitor = null;
        if (method != HttpMethod.Head && response.StatusCode == HttpStatusCode.OK)
        {
            visitor = await response.Content.ReadFromJsonAsync<VisitorSnapshot?>();
        }

        jar?.Apply(setCookies);
        return new Visit(response.StatusCode, setCookies, rawSetCookies, visitor);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.StopAsync();
        Host.Dispose();
    }

    private static void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        endpoints.Map("/", WriteVisitor);
        endpoints.Map("/page", WriteVisitor);
        endpoints.Map("/disabled-attribute", [DisableVisitorCookies] (HttpContext context) => WriteVisitor(context));
        endpoints.Map("/disabled-convention", WriteVisitor).DisableVisitorCookies();
        if (endpoints.ServiceProvider.GetService<Microsoft.Extensions.Options.IOptions<FirstPartyOptions>>() is not null)
        {
            endpoints.MapFirstParty();
            endpoints.MapFirstPartyCollector();
            endpoints.MapPost("/track", async (HttpContext context) =>
            {
                var result = await context.TrackAsync(new TrackedEvent(context.Request.Query["name"].ToString() is { Length: > 0 } name ? name : TrackedEvent.PageViewName));
                await context.Response.WriteAsJsonAsync(new { result.Queued, result.Refused });
            }).DisableVisitorCookies();
        }
    }

    /// <summary>Writes what the endpoint sees as JSON (<c>null</c> when there is no visitor).</summary>
    private static Task WriteVisitor(HttpContext context)
        => context.Response.WriteAsJsonAsync(VisitorSnapshot.From(context.GetVisitor()));
}

/// <summary>The outcome of one request.</summary>
internal sealed record Visit(HttpStatusCode Status, IList<SetCookieHeaderValue> SetCookies, IList<string> RawSetCookies, VisitorSnapshot? Visitor)
{
    public SetCookieHeaderValue? Cookie(string name)
        => SetCookies.SingleOrDefault(c => c.Name.Equals(name, StringComparison.Ordinal));

    public VisitorSnapshot RequireVisitor()
        => Visitor ?? throw new Xunit.Sdk.XunitException("The endpoint saw no visitor (GetVisitor() returned null).");
}

/// <summary>A minimal browser cookie jar: name → value, honouring deletions by max-age.</summary>
internal sealed class CookieJar
{
    private readonly List<KeyValuePair<string, string>> _cookies = [];

    public int Count => _cookies.Count;

    public string? this[string name]
    {
        get => _cookies.FirstOrDefault(c => c.Key == name).Value;
        set
        {
            _cookies.RemoveAll(c => c.Key == name);
            if (value is not null)
            {
                _cookies.Add(new(name, value));
            }
        }
    }

    public CookieJar Clone()
    {
        var clone = new CookieJar();
        clone._cookies.AddRange(_cookies);
        return clone;
    }

    /// <summary>Adds a cookie even if one of that name exists (as sibling domains and paths produce).</summary>
    public void AddDuplicate(string name, string value) => _cookies.Add(new(name, value));

    public void Apply(IEnumerable<SetCookieHeaderValue> setCookies)
    {
        foreach (var cookie in setCookies)
        {
            var name = cookie.Name.ToString();
            this[name] = cookie.MaxAge is { } maxAge && maxAge <= TimeSpan.Zero ? null : cookie.Value.ToString();
        }
    }

    public string ToHeader() => string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}"));
}

/// <summary>An in-memory Data Protection key repository (shareable between hosts).</summary>
internal sealed class InMemoryXmlRepository : IXmlRepository
{
    private readonly List<XElement> _elements = [];
    private readonly Lock _lock = new();

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        lock (_lock)
        {
            return [.. _elements.Select(e => new XElement(e))];
        }
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        lock (_lock)
        {
            _elements.Add(new XElement(element));
        }
    }
}
