using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Benchmarks;

/// <summary>
/// A request pipeline run on <see cref="DefaultHttpContext"/> without a server, with the
/// <c>OnStarting</c> callbacks fired the way a server fires them before the first byte.
/// </summary>
internal sealed class BenchmarkHost
{
    private readonly RequestDelegate _pipeline;
    private readonly IServiceProvider _services;

    // Kestrel keeps a connection's OnStarting stack and clears it between requests, so a request
    // on a kept-alive connection does not pay for it; the benchmark's requests share one list the same way.
    private readonly List<(Func<object, Task> Callback, object State)> _callbacks = [];

    public BenchmarkHost(Action<IServiceCollection> configureServices, Action<IApplicationBuilder> configurePipeline)
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddSingleton<TimeProvider>(new FixedTimeProvider());
        services.AddDataProtection().AddKeyManagementOptions(static o => o.XmlRepository = new InMemoryXmlRepository());
        configureServices(services);
        _services = services.BuildServiceProvider();

        // The startup filters wrap the app's pipeline as the host applies them (FirstParty's cookie
        // gate starts the pipeline this way), so the benchmark runs the middleware a real app runs.
        Action<IApplicationBuilder> configure = app =>
        {
            configurePipeline(app);
            app.Run(static _ => Task.CompletedTask);
        };
        foreach (var filter in _services.GetServices<IStartupFilter>().Reverse())
        {
            configure = filter.Configure(configure);
        }

        var builder = new ApplicationBuilder(_services);
        configure(builder);
        _pipeline = builder.Build();
    }

    public IServiceProvider Services => _services;

    public async Task<HttpContext> SendAsync(string? cookieHeader)
    {
        var response = new StartingResponseFeature(_callbacks);
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseFeature>(response);
        context.RequestServices = _services;
        context.Request.Method = HttpMethods.Get;
        context.Request.Host = new HostString("www.example.co.uk");
        context.Request.Headers.Accept = "text/html";
        context.Request.Headers["Sec-Fetch-Dest"] = "document";
        if (cookieHeader is not null)
        {
            context.Request.Headers.Cookie = cookieHeader;
        }

        await _pipeline(context);
        await response.FireOnStartingAsync();
        return context;
    }

    /// <summary>Runs a first request and returns the Cookie header a browser would send next.</summary>
    public async Task<string> MintCookieHeaderAsync()
    {
        var context = await SendAsync(null);
        return string.Join("; ", context.Response.Headers.SetCookie.Select(static c => c![..c!.IndexOf(';', StringComparison.Ordinal)]));
    }

    /// <summary>
    /// Records an accept-all decision the way the consent endpoint does and returns the Cookie header
    /// a browser sends afterwards: consent, visitor and session cookies.
    /// </summary>
    public async Task<string> MintConsentedCookieHeaderAsync()
    {
        var response = new StartingResponseFeature(_callbacks);
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Features.Set<IHttpResponseFeature>(response);
        context.Request.Host = new HostString("www.example.co.uk");
        var manager = _services.GetRequiredService<FirstParty.AspNetCore.Consent.ConsentManager>();
        var consent = manager.Resolve(context);
        context.Features.Set<FirstParty.AspNetCore.IConsentFeature>(consent);
        _services.GetRequiredService<FirstParty.AspNetCore.Pipeline.ResponseSteps>().Register(context);
        await _services.GetRequiredService<FirstParty.AspNetCore.Pipeline.ConsentDecisions>()
            .DecideAsync(context, consent, "accept-all", [.. manager.Policy.Categories.Select(static c => c.Key)]);
        await response.FireOnStartingAsync();
        return string.Join("; ", context.Response.Headers.SetCookie.Select(static c => c![..c!.IndexOf(';', StringComparison.Ordinal)]));
    }

    /// <summary>Keeps the callbacks in <paramref name="shared"/> when given (cleared once fired), else in a list of its own.</summary>
    internal sealed class StartingResponseFeature(List<(Func<object, Task> Callback, object State)>? shared = null) : HttpResponseFeature
    {
        private List<(Func<object, Task> Callback, object State)>? _callbacks = shared;

        public override void OnStarting(Func<object, Task> callback, object state)
            => (_callbacks ??= []).Add((callback, state));

        public async Task FireOnStartingAsync()
        {
            if (_callbacks is null)
            {
                return;
            }

            for (var i = _callbacks.Count - 1; i >= 0; i--)
            {
                await _callbacks[i].Callback(_callbacks[i].State);
            }

            _callbacks.Clear();
        }
    }

    /// <summary>Time stands still so a returning visitor never becomes due for a refresh mid-run.</summary>
    private sealed class FixedTimeProvider : TimeProvider
    {
        private readonly DateTimeOffset _now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;
    }
}

/// <summary>Keeps the benchmark's Data Protection key ring in memory, off the disk.</summary>
internal sealed class InMemoryXmlRepository : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
{
    private readonly List<System.Xml.Linq.XElement> _elements = [];

    public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements()
    {
        lock (_elements)
        {
            return [.. _elements];
        }
    }

    public void StoreElement(System.Xml.Linq.XElement element, string friendlyName)
    {
        lock (_elements)
        {
            _elements.Add(element);
        }
    }
}
