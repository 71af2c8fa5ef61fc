using System.Collections.Concurrent;
using System.Net;
using FirstParty.AspNetCore.Collector;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>One request the collector sent upstream, as the vendor's server would have received it.</summary>
internal sealed record UpstreamCall(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string[]> Headers, string? ContentType, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var values) ? string.Join(", ", values) : null;
}

/// <summary>
/// Stands in for the vendors' APIs behind the collector: records every request the collector sends
/// and answers with <see cref="Respond"/> (200 by default). Stub upstreams accept anything, so tests
/// assert what was sent against the vendor's real format.
/// </summary>
internal sealed class CapturingUpstream : HttpMessageHandler
{
    public ConcurrentQueue<UpstreamCall> Calls { get; } = new();

    /// <summary>The answer to give (the request is already recorded).</summary>
    public Func<UpstreamCall, HttpResponseMessage> Respond { get; set; } = static _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("ok") };

    /// <summary>
    /// The app's fake clock: the outbox waits between retries on the app's <see cref="TimeProvider"/>,
    /// so <see cref="WaitForAsync"/> moves this clock on while it waits.
    /// </summary>
    public Microsoft.Extensions.Time.Testing.FakeTimeProvider? Clock { get; set; }

    /// <summary>Waits until at least <paramref name="count"/> calls arrived (the collector forwards in the background).</summary>
    public Task<IReadOnlyList<UpstreamCall>> WaitForAsync(int count, TimeSpan? timeout = null) => WaitForAsync(static _ => true, count, timeout);

    /// <summary>Waits until at least <paramref name="count"/> calls that match arrived; returns those.</summary>
    public async Task<IReadOnlyList<UpstreamCall>> WaitForAsync(Func<UpstreamCall, bool> match, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Calls.Count(match) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Expected {count} matching upstream calls, got {Calls.Count(match)} of {Calls.Count}.");
            }

            await Task.Delay(10);
            Clock?.Advance(TimeSpan.FromMilliseconds(250));
        }

        return [.. Calls.Where(match)];
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = [.. values];
        }

        string body = string.Empty;
        string? contentType = null;
        if (request.Content is { } content)
        {
            foreach (var (name, values) in content.Headers)
            {
                headers[name] = [.. values];
            }

            contentType = content.Headers.ContentType?.ToString();
            body = await content.ReadAsStringAsync(cancellationToken);
        }

        var call = new UpstreamCall(request.Method, request.RequestUri!, headers, contentType, body);
        Calls.Enqueue(call);
        var response = Respond(call);
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>Turns the collector on in a <see cref="TestApp"/> with every vendor sent to a <see cref="CapturingUpstream"/>.</summary>
internal static class CollectorTestSupport
{
    public const string Prefix = "/_fp/c";

    public static void EnableCollector(TestAppOptions options, CapturingUpstream upstream, string spillDirectory)
    {
        options.Configuration["FirstParty:Collector:Enabled"] = "true";
        options.Configuration["FirstParty:Collector:SpillDirectory"] = spillDirectory;
        options.Configuration["FirstParty:Collector:RetryDelay"] = "00:00:00.050";
        options.Configuration["FirstParty:Collector:MaxRetryDelay"] = "00:00:00.200";
        options.Configuration["FirstParty:Collector:Snowplow:Upstream"] = "https://collector.snowplow.test";
        options.Configuration["FirstParty:Collector:Amplitude:Upstream"] = "https://api2.amplitude.test";
        options.Configuration["FirstParty:Collector:GoogleAnalytics:Upstream"] = "https://region1.google-analytics.test";
        options.Configuration["FirstParty:Collector:Plausible:Upstream"] = "https://plausible.test";
        var previous = options.ConfigureServices;
        options.ConfigureServices = services =>
        {
            previous?.Invoke(services);
            services.RemoveAll<CollectorUpstreamClient>();
            services.AddSingleton(sp => new CollectorUpstreamClient(upstream, sp.GetRequiredService<IOptions<FirstPartyOptions>>()));
        };
    }
}
