using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Benchmarks;

/// <summary>
/// <c>dotnet run -c Release --project tests/Benchmarks -- collector-load [clients] [eventsPerUpload] [seconds]</c>:
/// the collector on Kestrel, concurrent clients posting Amplitude uploads (each event with its own
/// <c>insert_id</c>) as a consented visitor, and an upstream stub on Kestrel that counts the events
/// it receives. Reports events delivered at the stub per second over the window, after a warm-up,
/// with what was accepted and what was left queued or spilled, so that "accepted" cannot pass for
/// "forwarded". Everything shares the machine's cores.
/// </summary>
internal static class CollectorLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var clients = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 16;
        var perUpload = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var window = TimeSpan.FromSeconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15);
        var warmUp = TimeSpan.FromSeconds(5);

        long delivered = 0;
        long upstreamRequests = 0;
        var stubBuilder = WebApplication.CreateSlimBuilder();
        stubBuilder.Logging.ClearProviders();
        stubBuilder.WebHost.ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
        await using var stub = stubBuilder.Build();
        stub.Run(async context =>
        {
            // Counted as Amplitude would ingest them: the events of a well-formed upload.
            using var upload = await JsonDocument.ParseAsync(context.Request.Body);
            Interlocked.Add(ref delivered, upload.RootElement.GetProperty("events").GetArrayLength());
            Interlocked.Increment(ref upstreamRequests);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"code":200}""");
        });
        await stub.StartAsync();

        var spill = Directory.CreateTempSubdirectory("fp-collector-load-").FullName;
        await using var app = CollectorApp.Build(Address(stub), spill, static builder => builder.WebHost.ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0)));
        await app.StartAsync();
        var cookies = await CollectorApp.ConsentedCookieHeaderAsync(app.Services);
        var outbox = app.Services.GetRequiredService<FirstParty.AspNetCore.Collector.CollectorForwarder>().Outboxes["amplitude"];

        using var client = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = clients })
        {
            BaseAddress = new Uri(Address(app)),
        };
        long accepted = 0;
        long failed = 0;
        var latencies = new List<double>[clients];
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var measuring = false;
        var load = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            latencies[i] = [];
            var ids = new string[perUpload];
            while (!stop.IsCancellationRequested)
            {
                for (var e = 0; e < ids.Length; e++)
                {
                    ids[e] = Guid.NewGuid().ToString();
                }

                using var request = new HttpRequestMessage(HttpMethod.Post, CollectorApp.HttpApi)
                {
                    Content = new StringContent(CollectorApp.AmplitudeUpload(ids), Encoding.UTF8, "application/json"),
                };
                request.Headers.TryAddWithoutValidation("Cookie", cookies);
                request.Headers.TryAddWithoutValidation("User-Agent", CollectorApp.UserAgent);
                var started = clock.Elapsed;
                try
                {
                    using var response = await client.SendAsync(request, stop.Token);
                    await response.Content.ReadAsByteArrayAsync(stop.Token);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        Interlocked.Add(ref accepted, perUpload);
                        if (Volatile.Read(ref measuring))
                        {
                            latencies[i].Add((clock.Elapsed - started).TotalMilliseconds);
                        }
                    }
                    else
                    {
                        Interlocked.Increment(ref failed);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                }
            }
        })).ToArray();

        await Task.Delay(warmUp);
        var (deliveredBefore, acceptedBefore, requestsBefore) = (Interlocked.Read(ref delivered), Interlocked.Read(ref accepted), Interlocked.Read(ref upstreamRequests));
        var windowStart = clock.Elapsed;
        Volatile.Write(ref measuring, true);
        await Task.Delay(window);
        var (deliveredAfter, acceptedAfter, requestsAfter) = (Interlocked.Read(ref delivered), Interlocked.Read(ref accepted), Interlocked.Read(ref upstreamRequests));
        var elapsed = (clock.Elapsed - windowStart).TotalSeconds;
        var (queued, spilled) = (outbox.QueueDepth, outbox.SpilledCount);
        await stop.CancelAsync();
        await Task.WhenAll(load);

        var all = latencies.SelectMany(static l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
        var forwardedPerSecond = (deliveredAfter - deliveredBefore) / elapsed;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            collector-load: {clients} clients, Amplitude uploads of {perUpload} events, {warmUp.TotalSeconds:0} s warm-up, {elapsed:0.0} s window, {Environment.ProcessorCount} cores
              accepted:  {(acceptedAfter - acceptedBefore) / elapsed,10:N0} events/s ({(acceptedAfter - acceptedBefore) / perUpload / elapsed:N0} uploads/s; {failed} not answered 200)
              delivered: {forwardedPerSecond,10:N0} events/s at the upstream stub ({(requestsAfter - requestsBefore) / elapsed:N0} upstream requests/s, {(deliveredAfter - deliveredBefore) / (double)Math.Max(1, requestsAfter - requestsBefore):N0} events each)
              upload latency at the client: p50 {Percentile(0.50):N2} ms, p99 {Percentile(0.99):N2} ms
              left at the end of the window: {queued} envelopes queued, {spilled} spilled
            """));

        await app.StopAsync();
        await stub.StopAsync();
        Directory.Delete(spill, recursive: true);
        return forwardedPerSecond >= 20_000 && spilled == 0 ? 0 : 1;
    }

    private static string Address(WebApplication app)
        => app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
