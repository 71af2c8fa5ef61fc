using System.Collections.Concurrent;

namespace RazorPagesSample.Analytics;

/// <summary>
/// Stands in for the Snowplow collector and Amplitude's HTTP API so the sample runs offline: it
/// accepts events, keeps the last ones in memory and shows them at <c>GET /collector/events</c>.
/// </summary>
internal sealed class CollectorStub
{
    private const int Kept = 200;
    private readonly ConcurrentQueue<CollectedEvent> _events = new();

    public IReadOnlyCollection<CollectedEvent> Events => _events;

    public async Task<IResult> AcceptAsync(HttpContext context, string destination)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        _events.Enqueue(new CollectedEvent(destination, context.Request.Path, body.Length > 16_384 ? body[..16_384] : body, DateTimeOffset.UtcNow));
        while (_events.Count > Kept && _events.TryDequeue(out _))
        {
        }

        // Amplitude reads a JSON answer; Snowplow only the status.
        return Results.Json(new { code = 200, events_ingested = 1, payload_size_bytes = body.Length, server_upload_time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
    }
}

internal sealed record CollectedEvent(string Destination, string Path, string Body, DateTimeOffset ReceivedAt);
