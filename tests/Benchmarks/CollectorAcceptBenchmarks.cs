using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Collector;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Benchmarks;

/// <summary>
/// The collector's own work on one hit, without the server around it: what the server knows of the
/// visitor reduced for the vendor (<c>Describe</c>), and the vendor's read, check and rewrite of the
/// hit into an envelope (<c>Accept</c>, the <c>sp</c> cookie included for Snowplow). The features a
/// real consented request resolved are reused on a fresh context per call.
/// </summary>
[MemoryDiagnoser]
public class CollectorAcceptBenchmarks
{
    private readonly string _spill = Directory.CreateTempSubdirectory("fp-collector-accept-").FullName;
    private WebApplication _app = null!;
    private CollectorVisitors _visitors = null!;
    private ICollectorVendor _snowplow = null!;
    private ICollectorVendor _amplitude = null!;
    private IVisitorFeature _visitor = null!;
    private IConsentFeature _consent = null!;
    private string _cookies = string.Empty;
    private byte[] _snowplowBody = [];
    private byte[] _amplitudeBody = [];
    private CollectorVisitor _described = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _app = CollectorApp.Build("http://upstream.test", _spill);
        _cookies = await CollectorApp.ConsentedCookieHeaderAsync(_app.Services);
        var services = _app.Services;
        _visitors = services.GetRequiredService<CollectorVisitors>();
        var vendors = services.GetServices<ICollectorVendor>().ToList();
        _snowplow = vendors.Single(v => v.Name == "snowplow");
        _amplitude = vendors.Single(v => v.Name == "amplitude");
        _snowplowBody = Encoding.UTF8.GetBytes(CollectorApp.SnowplowPost("42be6302-73af-4a74-92d9-cf8385dd3ff2"));
        _amplitudeBody = Encoding.UTF8.GetBytes(CollectorApp.AmplitudeUpload(["8f14e45f-ceea-467f-a0e6-7b3c6d1f2a90"]));

        // The features UseFirstParty resolves for a consented hit, taken from one real pass.
        var context = Context();
        var middleware = ActivatorUtilities.CreateInstance<FirstParty.AspNetCore.Pipeline.FirstPartyMiddleware>(services, (RequestDelegate)(static _ => Task.CompletedTask));
        await middleware.InvokeAsync(context);
        _visitor = context.Features.Get<IVisitorFeature>() ?? throw new InvalidOperationException("No visitor: the cookies are not consented.");
        _consent = context.Features.Get<IConsentFeature>()!;
        _described = _visitors.Describe(Prepared(), new SnowplowCollectorOptions());
    }

    [Benchmark]
    public object Describe() => _visitors.Describe(Prepared(), new AmplitudeCollectorOptions());

    [Benchmark]
    public int SnowplowReadPost()
        => SnowplowPayload.ReadPost(_snowplowBody, SnowplowPayload.ServerIds.From(_described, anonymous: false), out var events) is null ? events.Count : -1;

    [Benchmark]
    public int SnowplowCookie() => _app.Services.GetRequiredService<SnowplowNetworkCookie>().Set(Prepared(), _described.VisitorId, DateTimeOffset.UtcNow).Length;

    [Benchmark]
    public int SnowplowAccept() => _snowplow.Accept(Hit(_snowplowBody, _snowplow.Routes[0])).Events;

    [Benchmark]
    public int AmplitudeAccept() => _amplitude.Accept(Hit(_amplitudeBody, _amplitude.Routes[0])).Events;

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _app.DisposeAsync();
        Directory.Delete(_spill, recursive: true);
    }

    private CollectorHit Hit(byte[] body, CollectorRoute route) => new()
    {
        Context = Prepared(),
        Route = route,
        Body = body,
        Granted = true,
        Visitor = _described,
        Now = DateTimeOffset.UtcNow,
    };

    private DefaultHttpContext Prepared()
    {
        var context = Context();
        context.Features.Set(_visitor);
        context.Features.Set(_consent);
        return context;
    }

    private DefaultHttpContext Context()
    {
        var context = new DefaultHttpContext { RequestServices = _app.Services };
        context.Features.Set<IHttpResponseFeature>(new BenchmarkHost.StartingResponseFeature());
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Scheme = "https";
        request.Host = new HostString("127.0.0.1");
        request.Headers.Cookie = _cookies;
        request.Headers.UserAgent = CollectorApp.UserAgent;
        request.ContentType = "application/json; charset=UTF-8";
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.77");
        return context;
    }
}
