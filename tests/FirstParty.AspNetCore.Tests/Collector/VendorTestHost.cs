using System.IO.Compression;
using System.Net;
using System.Text;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>
/// A <see cref="TestApp"/> with the collector on for every vendor, sending to a <see cref="CapturingUpstream"/>,
/// with the Amplitude and GA4 profiles added (so the server has ids for them), each provider
/// configured for one site, and every request coming from <see cref="ClientIp"/>.
/// </summary>
internal sealed class VendorTestHost : IAsyncDisposable
{
    public const string ClientIp = "203.0.113.77";
    public const string ApiKey = "0123456789abcdef0123456789abcdef";
    public const string MeasurementId = "G-TEST12345";
    public const string PlausibleDomain = "shop.example";
    public const string UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.85 Safari/537.36";

    private readonly string _spill;

    private VendorTestHost(TestApp app, CapturingUpstream upstream, string spill)
    {
        App = app;
        Upstream = upstream;
        _spill = spill;
    }

    public TestApp App { get; }

    public CapturingUpstream Upstream { get; }

    public static async Task<VendorTestHost> StartAsync(Action<TestAppOptions>? configure = null, string clientIp = ClientIp)
    {
        var upstream = new CapturingUpstream();
        var spill = Path.Combine(Path.GetTempPath(), "fp-vendors-" + Guid.NewGuid().ToString("N"));
        var app = await TestApp.StartAsync(o =>
        {
            CollectorTestSupport.EnableCollector(o, upstream, spill);
            o.Configuration["FirstParty:Providers:Amplitude:ApiKey"] = ApiKey;
            o.Configuration["FirstParty:Providers:GoogleAnalytics:MeasurementId"] = MeasurementId;
            o.Configuration["FirstParty:Providers:Plausible:Domain"] = PlausibleDomain;
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                new FirstPartyBuilder(services).AddAmplitude().AddGoogleAnalytics();
                services.AddSingleton<IStartupFilter>(new ClientAddress(IPAddress.Parse(clientIp)));
            };
            configure?.Invoke(o);
        });
        upstream.Clock = app.Time;
        return new VendorTestHost(app, upstream, spill);
    }

    /// <summary>A first page view: the visitor's cookies (and the SDK id cookies the server writes).</summary>
    public async Task<(CookieJar Jar, string VisitorId)> VisitAsync()
    {
        var jar = new CookieJar();
        var visit = await App.NavigateAsync("/", jar, r => r.Headers.TryAddWithoutValidation("User-Agent", UserAgent));
        // Without consent (OptIn, undecided) there is no visitor; the collector must cope with that too.
        return (jar, visit.Visitor?.VisitorId ?? string.Empty);
    }

    /// <summary>GA4's client id as the server wrote it into <c>_ga</c>.</summary>
    public static string GoogleClientId(CookieJar jar) => jar["_ga"]!["GA1.1.".Length..];

    /// <summary>The User-Agent header as sent on the wire (HttpClient splits it into product tokens).</summary>
    public static string? UserAgentOf(UpstreamCall call) => call.Headers.TryGetValue("User-Agent", out var values) ? string.Join(' ', values) : null;

    public Task<RawResponse> PostAsync(string path, string body, string contentType, CookieJar? jar, Action<HttpRequestMessage>? configure = null)
        => App.SendRawAsync(HttpMethod.Post, CollectorTestSupport.Prefix + path, jar, request =>
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.Remove("Content-Type");
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            configure?.Invoke(request);
        });

    public Task<RawResponse> PostGzipAsync(string path, string body, string contentType, CookieJar? jar)
        => App.SendRawAsync(HttpMethod.Post, CollectorTestSupport.Prefix + path, jar, request =>
        {
            request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
            using var buffer = new MemoryStream();
            using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(Encoding.UTF8.GetBytes(body));
            }

            request.Content = new ByteArrayContent(buffer.ToArray());
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            request.Content.Headers.ContentEncoding.Add("gzip");
        });

    public Task<RawResponse> GetAsync(string pathAndQuery, CookieJar? jar)
        => App.SendRawAsync(HttpMethod.Get, CollectorTestSupport.Prefix + pathAndQuery, jar, request => request.Headers.TryAddWithoutValidation("User-Agent", UserAgent));

    /// <summary>Gives the background forwarder time to send anything it (wrongly) would.</summary>
    public static Task SettleAsync() => Task.Delay(400);

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_spill, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>Every request comes from one client address, as an app behind a trusted proxy sees it.</summary>
    private sealed class ClientAddress(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
