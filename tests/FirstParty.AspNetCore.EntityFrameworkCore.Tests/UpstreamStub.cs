using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// The analytics vendors' collectors as a small Kestrel app on a fixed loopback port: it records the
/// idempotency key of every event it receives (Snowplow <c>eid</c>, Amplitude <c>insert_id</c>) with
/// how often and when it first arrived, answers as the vendor does, and can stop listening (the
/// collector's connections are refused) or answer 503 until it is told otherwise.
/// </summary>
internal sealed class UpstreamStub : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Delivery> _received = new(StringComparer.Ordinal);
    private readonly Stopwatch _clock;
    private WebApplication? _app;
    private volatile bool _unavailable;

    private UpstreamStub(int port, Stopwatch clock)
    {
        Port = port;
        _clock = clock;
    }

    public int Port { get; }

    /// <summary>The root to give a vendor as its <c>Upstream</c>.</summary>
    public string UpstreamOf(string vendor) => $"http://127.0.0.1:{Port}/{vendor}";

    /// <summary>Requests answered (any status).</summary>
    public int Requests => Volatile.Read(ref _requests);

    public int DistinctEvents => _received.Count;

    /// <summary>Keys that arrived more than once.</summary>
    public IReadOnlyList<string> Duplicates => [.. _received.Where(static r => r.Value.Count > 1).Select(static r => r.Key)];

    private int _requests;

    public static async Task<UpstreamStub> StartAsync(Stopwatch clock)
    {
        var stub = new UpstreamStub(FreePort(), clock);
        await stub.ListenAsync();
        return stub;
    }

    public bool Received(string key) => _received.ContainsKey(key);

    /// <summary>When (on the test's clock) the event first arrived, or null.</summary>
    public TimeSpan? FirstReceivedAt(string key) => _received.TryGetValue(key, out var d) ? d.FirstAt : null;

    /// <summary>Answers 503 (true) or as the vendor (false).</summary>
    public void AnswerUnavailable(bool unavailable) => _unavailable = unavailable;

    /// <summary>Stops listening: the collector's connections are refused until <see cref="ListenAsync"/>.</summary>
    public async Task StopListeningAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async Task ListenAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port));
        var app = builder.Build();
        app.Run(HandleAsync);

        // A port just released may stay busy for a moment.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await app.StartAsync();
                break;
            }
            catch (IOException) when (attempt < 50)
            {
                await Task.Delay(100);
            }
        }

        _app = app;
    }

    public ValueTask DisposeAsync() => new(StopListeningAsync());

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (_unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var path = context.Request.Path.Value ?? string.Empty;
        var now = _clock.Elapsed;
        if (path.StartsWith("/snowplow/", StringComparison.Ordinal))
        {
            foreach (var e in body.RootElement.GetProperty("data").EnumerateArray())
            {
                Record("snowplow:" + e.GetProperty("eid").GetString(), now);
            }

            await context.Response.WriteAsync("ok");
        }
        else if (path.StartsWith("/amplitude/", StringComparison.Ordinal))
        {
            var events = 0;
            foreach (var e in body.RootElement.GetProperty("events").EnumerateArray())
            {
                Record("amplitude:" + e.GetProperty("insert_id").GetString(), now);
                events++;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"code":200,"events_ingested":{{events}},"payload_size_bytes":0,"server_upload_time":0}""");
        }
        else
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
        }
    }

    private void Record(string key, TimeSpan now)
        => _received.AddOrUpdate(key, static (_, at) => new Delivery(1, at), static (_, d, _) => d with { Count = d.Count + 1 }, now);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed record Delivery(int Count, TimeSpan FirstAt);
}
