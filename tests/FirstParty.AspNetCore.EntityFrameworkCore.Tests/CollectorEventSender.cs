using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// A browser that accepted analytics and then sends what its SDKs send to the same-origin
/// collector, at a bounded rate: Snowplow <c>tp2</c> posts of three events and Amplitude uploads of
/// five, every event with its own idempotency key. A key counts as accepted only when the collector
/// answered the hit as a success (Snowplow: 200; Amplitude: 200 with <c>code</c> 200).
/// </summary>
internal sealed class CollectorEventSender
{
    /// <summary>The sample's Amplitude project (appsettings <c>FirstParty:Providers:Amplitude:ApiKey</c>): another key is refused.</summary>
    private const string AmplitudeApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    private const string Tp2 = "/_fp/c/snowplow/com.snowplowanalytics.snowplow/tp2";
    private const string HttpApi = "/_fp/c/amplitude/2/httpapi";

    private readonly SampleBrowser _browser = new();
    private readonly string _deviceId = Guid.NewGuid().ToString();
    private readonly long _sessionId = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private int _eventId;

    /// <summary>Idempotency keys (<c>snowplow:{eid}</c>, <c>amplitude:{insert_id}</c>) the collector accepted, with when (test clock).</summary>
    public ConcurrentDictionary<string, TimeSpan> Accepted { get; } = new(StringComparer.Ordinal);

    /// <summary>Hits not answered as a success (the process stopping mid-request, or an error answer).</summary>
    public int Failed => Volatile.Read(ref _failed);

    private int _failed;

    /// <summary>Accepts every category through the consent endpoint and opens a page, as a visitor does before its SDKs send anything.</summary>
    public async Task PrepareAsync(HttpClient host)
    {
        Assert.Equal(HttpStatusCode.OK, await _browser.ChooseAsync(host, "accept-all"));
        Assert.Contains("<html", await _browser.GetStringAsync(host, "/"), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Sends a Snowplow post and an Amplitude upload every <paramref name="interval"/> until stopped.</summary>
    public async Task RunAsync(HttpClient host, Stopwatch clock, TimeSpan interval, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await SendAsync(host, clock, snowplow: true, stop);
            await SendAsync(host, clock, snowplow: false, stop);
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SendAsync(HttpClient host, Stopwatch clock, bool snowplow, CancellationToken stop)
    {
        var (body, keys) = snowplow ? SnowplowPost() : AmplitudeUpload();
        using var request = new HttpRequestMessage(HttpMethod.Post, snowplow ? Tp2 : HttpApi)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Cookie", string.Join("; ", _browser.Cookies.Select(static c => $"{c.Key}={c.Value}")));
        request.Headers.TryAddWithoutValidation("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) FirstPartyTests");
        request.Headers.TryAddWithoutValidation("Origin", host.BaseAddress!.GetLeftPart(UriPartial.Authority));
        try
        {
            using var response = await host.SendAsync(request, stop);
            var answer = await response.Content.ReadAsStringAsync(stop);
            var success = response.StatusCode == HttpStatusCode.OK
                && (snowplow ? answer == "ok" : JsonDocument.Parse(answer).RootElement.GetProperty("code").GetInt32() == 200);
            if (!success)
            {
                Interlocked.Increment(ref _failed);
                return;
            }

            var at = clock.Elapsed;
            foreach (var key in keys)
            {
                Accepted[key] = at;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load was stopped mid-request: not accepted, not a failure.
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            // The process went away mid-request, or the answer took longer than the client's timeout: not accepted.
            Interlocked.Increment(ref _failed);
        }
    }

    /// <summary>A <c>payload_data</c> post of three events as @snowplow/browser-tracker 4 sends it (every value a string).</summary>
    private static (string Body, string[] Keys) SnowplowPost()
    {
        var eids = new[] { Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString() };
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var events = eids.Select((eid, i) => new Dictionary<string, string>
        {
            ["e"] = i == 0 ? "pv" : "se",
            ["url"] = "http://127.0.0.1/Menu?table=4",
            ["page"] = "Menu",
            ["eid"] = eid,
            ["tv"] = "js-4.10.1",
            ["tna"] = "sp",
            ["aid"] = "razor-sample",
            ["p"] = "web",
            ["lang"] = "en-GB",
            ["res"] = "1920x1080",
            ["cookie"] = "1",
            ["cs"] = "UTF-8",
            ["dtm"] = now,
            ["stm"] = now,
        }).ToArray();
        foreach (var e in events.Skip(1))
        {
            e["se_ca"] = "menu";
            e["se_ac"] = "add-to-basket";
        }

        var body = JsonSerializer.Serialize(new { schema = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4", data = events });
        return (body, [.. eids.Select(static e => "snowplow:" + e)]);
    }

    /// <summary>An upload of five events as @amplitude/analytics-browser 2 posts it to its <c>serverUrl</c>.</summary>
    private (string Body, string[] Keys) AmplitudeUpload()
    {
        var insertIds = Enumerable.Range(0, 5).Select(static _ => Guid.NewGuid().ToString()).ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var events = insertIds.Select(id => new Dictionary<string, object>
        {
            ["device_id"] = _deviceId,
            ["session_id"] = _sessionId,
            ["time"] = now,
            ["platform"] = "Web",
            ["language"] = "en-GB",
            ["ip"] = "$remote",
            ["insert_id"] = id,
            ["event_type"] = "[Amplitude] Page Viewed",
            ["event_properties"] = new Dictionary<string, object> { ["[Amplitude] Page Path"] = "/Menu" },
            ["event_id"] = Interlocked.Increment(ref _eventId),
            ["library"] = "amplitude-ts/2.45.6",
        }).ToArray();
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["api_key"] = AmplitudeApiKey,
            ["events"] = events,
            ["options"] = new Dictionary<string, object>(),
            ["client_upload_time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });
        return (body, [.. insertIds.Select(static i => "amplitude:" + i)]);
    }
}
