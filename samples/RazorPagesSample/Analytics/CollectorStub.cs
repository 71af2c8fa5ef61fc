using System.Collections.Concurrent;

namespace RazorPagesSample.Analytics;

/// <summary>
/// Stands in for the vendors' collectors behind FirstParty's same-origin collector, so the sample
/// runs offline: it takes what the collector forwards, answers as each vendor's API does, keeps the
/// last events in memory and shows them at <c>GET /collector/events</c>.
/// </summary>
internal sealed class CollectorStub
{
    private const int Kept = 200;
    private readonly ConcurrentQueue<CollectedEvent> _events = new();

    public IReadOnlyCollection<CollectedEvent> Events => _events;

    public async Task<IResult> AcceptAsync(HttpContext context, string vendor)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = context.Request;
        _events.Enqueue(new CollectedEvent(
            vendor,
            request.Method,
            request.Path + request.QueryString,
            body.Length > 16_384 ? body[..16_384] : body,
            request.Headers["X-Forwarded-For"].ToString(),
            request.Headers.UserAgent.ToString(),
            request.Headers.Cookie.Count > 0,
            DateTimeOffset.UtcNow));
        while (_events.Count > Kept && _events.TryDequeue(out _))
        {
        }

        // Each vendor's own success answer.
        return vendor switch
        {
            "amplitude" => Results.Json(new { code = 200, events_ingested = 1, payload_size_bytes = body.Length, server_upload_time = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() }),
            "ga4" => Results.NoContent(),
            "plausible" => Results.Text("ok", statusCode: StatusCodes.Status202Accepted),
            _ => Results.Text("ok"),
        };
    }
}

/// <summary>One request the stub received from the collector.</summary>
internal sealed record CollectedEvent(string Destination, string Method, string Path, string Body, string ForwardedFor, string UserAgent, bool HadCookies, DateTimeOffset ReceivedAt);
