using System.Net;
using System.Text;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Outbox;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>
/// A minimal vendor for testing the collector's shared machinery (handler, sink, tracker) without
/// any real vendor's format: a hit's body is lines of text, one event per line; <c>bad</c> is malformed.
/// It uses the Plausible section's options (upstream, consent, limits).
/// </summary>
internal sealed class EchoVendor : ICollectorVendor
{
    public string Name => "echo";

    public IReadOnlyList<CollectorRoute> Routes { get; } = [new("/hit", "POST", "hit")];

    public CollectorVendorOptions OptionsOf(CollectorOptions collector) => collector.Plausible;

    public string DefaultConsent(FirstPartyOptions options) => "analytics";

    public CollectorAccept Accept(CollectorHit hit)
    {
        var text = Encoding.UTF8.GetString(hit.Body.Span);
        if (text == "bad")
        {
            return CollectorAccept.Malformed("bad is not an event");
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (!hit.Granted)
        {
            return new CollectorAccept { Envelopes = [], Events = lines.Length };
        }

        return new CollectorAccept
        {
            Events = lines.Length,
            Envelopes = [.. lines.Select(line => new CollectorEnvelope
            {
                Vendor = Name,
                Path = "/collect",
                Body = $"{line}|{hit.Visitor.VisitorId}|{hit.Visitor.ClientIp}|{hit.Visitor.UserAgent}",
                QueuedAt = hit.Now,
            })],
        };
    }

    public IResult Answer(CollectorHit hit, CollectorAccept accepted)
    {
        if (!hit.Granted)
        {
            hit.Context.Response.Headers["x-echo-dropped"] = "1";
        }

        return Results.Text("taken");
    }

    public IEnumerable<UpstreamRequest> CreateRequests(Uri upstream, IReadOnlyList<CollectorEnvelope> batch)
    {
        var body = string.Join('\n', batch.Select(e => e.Body));
        yield return new UpstreamRequest(
            new HttpRequestMessage(HttpMethod.Post, new Uri(upstream, "/collect")) { Content = new StringContent(body) },
            [.. Enumerable.Range(0, batch.Count)]);
    }

    public ValueTask<DeliveryOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        => ValueTask.FromResult(response.StatusCode switch
        {
            >= HttpStatusCode.OK and < HttpStatusCode.MultipleChoices => DeliveryOutcome.Delivered,
            HttpStatusCode.BadRequest => DeliveryOutcome.Rejected,
            _ => DeliveryOutcome.Retry,
        });

    public CollectorEnvelope? CreateEvent(TrackedEvent trackedEvent, CollectorVisitor visitor, DateTimeOffset now)
        => new() { Vendor = Name, Path = "/collect", Body = $"{trackedEvent.Name}|{visitor.VisitorId}", QueuedAt = now };
}
