using System.Net;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Benchmarks;

/// <summary>
/// What the collector adds to a hit: one Snowplow <c>tp2</c> post and one Amplitude upload (one
/// event each, as the SDKs flush a page view) from a visitor who accepted analytics, through the
/// whole app in process (a <see cref="TestServer"/>: <c>UseFirstParty()</c>, routing, the endpoint),
/// against <c>/bare</c> in the same app, which only reads the same body. One hit per measurement, so
/// the percentiles are per-request latencies; the forwarder sends the queued events to an upstream
/// that answers at once, on the same two cores, meanwhile.
/// </summary>
[Config(typeof(Config))]
[MemoryDiagnoser]
public class CollectorLatencyBenchmarks
{
    private readonly string _spill = Directory.CreateTempSubdirectory("fp-collector-bench-").FullName;
    private WebApplication _app = null!;
    private TestServer _server = null!;
    private string _cookies = string.Empty;
    private byte[] _snowplow = [];
    private byte[] _amplitude = [];
    private AnsweringUpstream _upstream = null!;

    /// <summary>
    /// <c>immediate</c>: the default <c>BatchDelay</c> (0), the forwarder sends each hit as it arrives;
    /// <c>linger</c>: <c>BatchDelay</c> 5 ms, hits gather before a send; <c>held</c>: the upstream never
    /// answers during the run, so the forwarder waits on its first request and the hits only queue
    /// (the endpoint's own cost, without the forwarder's work on the same cores).
    /// </summary>
    [Params("immediate", "linger", "held")]
    public string Forwarding { get; set; } = "immediate";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _upstream = new AnsweringUpstream();
        _app = CollectorApp.Build("http://upstream.test", _spill, builder =>
        {
            builder.WebHost.UseTestServer();
            builder.Configuration["FirstParty:Collector:UpstreamTimeout"] = "00:05:00";
            if (Forwarding == "linger")
            {
                builder.Configuration["FirstParty:Collector:BatchDelay"] = "00:00:00.005";
            }
            builder.Services.AddHttpClient(CollectorOptions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _upstream);
        });
        await _app.StartAsync();
        _server = _app.GetTestServer();
        _cookies = await CollectorApp.ConsentedCookieHeaderAsync(_app.Services);
        _snowplow = Encoding.UTF8.GetBytes(CollectorApp.SnowplowPost("42be6302-73af-4a74-92d9-cf8385dd3ff2"));
        _amplitude = Encoding.UTF8.GetBytes(CollectorApp.AmplitudeUpload(["8f14e45f-ceea-467f-a0e6-7b3c6d1f2a90"]));

        // Fail here, not in a table of fast errors: each hit must be taken as a consented event.
        await AssertAsync(CollectorApp.Tp2, _snowplow, "ok");
        await AssertAsync(CollectorApp.HttpApi, _amplitude, "\"code\":200,\"events_ingested\":1");
        if (Forwarding == "held")
        {
            _upstream.Hold();
        }
    }

    [Benchmark(Baseline = true)]
    public Task<HttpContext> BareSnowplowBody() => SendAsync(CollectorApp.Bare, _snowplow);

    [Benchmark]
    public Task<HttpContext> SnowplowTp2() => SendAsync(CollectorApp.Tp2, _snowplow);

    [Benchmark]
    public Task<HttpContext> BareAmplitudeBody() => SendAsync(CollectorApp.Bare, _amplitude);

    [Benchmark]
    public Task<HttpContext> AmplitudeHttpApi() => SendAsync(CollectorApp.HttpApi, _amplitude);

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _upstream.Release();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_spill, recursive: true);
    }

    private Task<HttpContext> SendAsync(string path, byte[] body) => _server.SendAsync(context =>
    {
        var request = context.Request;
        request.Method = HttpMethods.Post;
        request.Path = path;
        request.Headers.Cookie = _cookies;
        request.Headers.UserAgent = CollectorApp.UserAgent;
        request.Headers.Origin = "http://localhost";
        request.ContentType = "application/json; charset=UTF-8";
        request.ContentLength = body.Length;
        request.Body = new MemoryStream(body, writable: false);
        context.Connection.RemoteIpAddress = IPAddress.Parse("203.0.113.77");
    });

    private async Task AssertAsync(string path, byte[] body, string expected)
    {
        var context = await SendAsync(path, body);
        var answer = await new StreamReader(context.Response.Body).ReadToEndAsync();
        if (context.Response.StatusCode != StatusCodes.Status200OK || !answer.Contains(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} answered {context.Response.StatusCode} {answer}");
        }
    }

    /// <summary>An upstream that takes everything at once, so the forwarder never spills during the run.</summary>
    private sealed class AnsweringUpstream : HttpMessageHandler
    {
        private volatile TaskCompletionSource? _hold;

        /// <summary>Makes every request wait until <see cref="Release"/> (the run is far shorter than the upstream timeout).</summary>
        public void Hold() => _hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _hold?.TrySetResult();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (_hold is { } hold)
            {
                await hold.Task.WaitAsync(cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""{"code":200}""", Encoding.UTF8, "application/json"),
            };
        }
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithOutlierMode(Perfolizer.Mathematics.OutlierDetection.OutlierMode.DontRemove).WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(500).WithIterationCount(5000).WithLaunchCount(1));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new P99Column());
        }
    }
}
