using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The analytics vendors' APIs as one local Kestrel app on 127.0.0.1: the collector of the sample
/// under test forwards to <c>{BaseAddress}/{vendor}</c>; the stub records every request exactly as it
/// arrived (method, path, query, headers, body) and answers as the vendor does, so the collector
/// counts the events as delivered.
/// </summary>
public sealed class UpstreamStub : IAsyncDisposable
{
    public static readonly string[] Vendors = ["snowplow", "amplitude", "ga4", "plausible"];

    private readonly ConcurrentQueue<UpstreamHit> _hits = new();
    private WebApplication? _app;

    private UpstreamStub()
    {
    }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<UpstreamHit> Hits => [.. _hits];

    public static async Task<UpstreamStub> StartAsync()
    {
        var stub = new UpstreamStub();

        // An empty builder: no appsettings, no logging, nothing of the test's working folder.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(stub.AcceptAsync);
        await app.StartAsync();
        stub._app = app;
        stub.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return stub;
    }

    /// <summary>The <c>Upstream</c> setting that sends a vendor's events here.</summary>
    public string UpstreamOf(string vendor) => new Uri(BaseAddress, "/" + vendor).ToString();

    /// <summary>Waits (polling, the machine is slow) until a request matching <paramref name="match"/> has arrived.</summary>
    public async Task<UpstreamHit> WaitForAsync(Func<UpstreamHit, bool> match, string what, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            if (Hits.FirstOrDefault(match) is { } hit)
            {
                return hit;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}. The upstream received:\n{Describe()}");
            await Task.Delay(100);
        }
    }

    public string Describe() => string.Join("\n", Hits.Select(h => $"  {h.Method} {h.Path}{h.Query} {(h.Body.Length > 300 ? h.Body[..300] + "…" : h.Body)}"));

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    private async Task AcceptAsync(HttpContext context)
    {
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var vendor = request.Path.Value!.Split('/', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? string.Empty;
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _hits.Enqueue(new UpstreamHit(vendor, request.Method, request.Path.Value!, request.QueryString.Value ?? string.Empty, headers, body, DateTimeOffset.UtcNow));

        // Each vendor's own success answer.
        var response = context.Response;
        switch (vendor)
        {
            case "snowplow":
                response.ContentType = "text/plain";
                await response.WriteAsync("ok");
                break;
            case "amplitude":
                var events = body.Length > 0 && JsonDocument.Parse(body).RootElement.TryGetProperty("events", out var list) ? list.GetArrayLength() : 0;
                await response.WriteAsJsonAsync(new Dictionary<string, object>
                {
                    ["code"] = 200,
                    ["events_ingested"] = events,
                    ["payload_size_bytes"] = body.Length,
                    ["server_upload_time"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
                });
                break;
            case "ga4":
                response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case "plausible":
                response.StatusCode = StatusCodes.Status202Accepted;
                response.ContentType = "text/plain";
                await response.WriteAsync("ok");
                break;
            default:
                response.StatusCode = StatusCodes.Status404NotFound;
                break;
        }
    }
}

/// <summary>One request the upstream stub received.</summary>
public sealed record UpstreamHit(string Vendor, string Method, string Path, string Query, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string? QueryValue(string name)
        => Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Query).TryGetValue(name, out var value) ? value.ToString() : null;

    /// <summary>A Snowplow post's events (<c>payload_data</c>'s <c>data</c>).</summary>
    public IEnumerable<JsonElement> SnowplowEvents()
        => Vendor == "snowplow" && Method == "POST" ? JsonDocument.Parse(Body).RootElement.GetProperty("data").EnumerateArray() : [];

    /// <summary>An Amplitude upload's events.</summary>
    public IEnumerable<JsonElement> AmplitudeEvents()
        => Vendor == "amplitude" && Method == "POST" ? JsonDocument.Parse(Body).RootElement.GetProperty("events").EnumerateArray() : [];

    public static string? Text(JsonElement element, string property)
        => element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
