using System.Text.Json.Serialization;
using FirstParty.AspNetCore.Outbox;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// One accepted hit, rewritten and ready to forward: what the outbox queues, spills and replays.
/// Everything the upstream request needs is here, already reduced to what the vendor may learn
/// (the IP and user agent as forwarded, never the visitor's cookies).
/// </summary>
internal sealed record CollectorEnvelope : IOutboxItem
{
    /// <summary>The vendor's name (<c>snowplow</c>, <c>amplitude</c>, <c>ga4</c>, <c>plausible</c>).</summary>
    public required string Vendor { get; init; }

    /// <inheritdoc />
    public DateTimeOffset QueuedAt { get; init; }

    /// <summary>The vendor's path below its upstream (<c>/com.snowplowanalytics.snowplow/tp2</c>, <c>/2/httpapi</c>, <c>/g/collect</c>).</summary>
    public required string Path { get; init; }

    /// <summary>The query string to forward, with its leading <c>?</c> (GA4's shared parameters), or null.</summary>
    public string? Query { get; init; }

    /// <summary>The vendor's payload after the server's ids were put in (JSON, or GA4's lines), or null for none.</summary>
    public string? Body { get; init; }

    /// <summary>Snowplow's network user id (the <c>sp</c> cookie), sent as <c>?nuid=</c>; null when there is none or the hit is anonymous.</summary>
    public string? NetworkUserId { get; init; }

    /// <summary>Snowplow's <c>SP-Anonymous</c>: the tracker asked for no IP and no network id.</summary>
    public bool Anonymous { get; init; }

    /// <summary>The visitor's IP address as the vendor may see it (already anonymised when configured), or null for none.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The visitor's user agent as the vendor may see it, or null for none.</summary>
    public string? UserAgent { get; init; }

    /// <summary>The vendor's idempotency keys of the events inside (Snowplow <c>eid</c>, Amplitude <c>insert_id</c>), for logs and tests.</summary>
    public IReadOnlyList<string>? IdempotencyKeys { get; init; }

    /// <summary>How many events the envelope carries.</summary>
    public int Events { get; init; } = 1;
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CollectorEnvelope))]
internal sealed partial class CollectorJsonContext : JsonSerializerContext;
