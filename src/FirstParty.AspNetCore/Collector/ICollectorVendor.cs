using FirstParty.AspNetCore.Outbox;
using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// One analytics vendor behind the collector: the routes its SDK calls, how a hit is read and
/// rewritten with the server's ids, how its SDK expects to be answered, and how queued hits are sent
/// to the vendor's API and its answers understood. Implementations hold no per-request state.
/// </summary>
internal interface ICollectorVendor
{
    /// <summary>The vendor's path segment, outbox name and metric tag (<c>snowplow</c>, <c>amplitude</c>, <c>ga4</c>, <c>plausible</c>).</summary>
    string Name { get; }

    /// <summary>The routes below <c>{PathPrefix}/{Name}</c>.</summary>
    IReadOnlyList<CollectorRoute> Routes { get; }

    /// <summary>This vendor's section of the options.</summary>
    CollectorVendorOptions OptionsOf(CollectorOptions collector);

    /// <summary>The consent key of the vendor when its options name none (the provider's category).</summary>
    string DefaultConsent(FirstPartyOptions options);

    /// <summary>
    /// Reads one hit. When <see cref="CollectorHit.Granted"/> it returns the envelopes to forward, with
    /// the server's ids in them; when not, it returns none (and may delete the vendor's own cookie).
    /// Malformed input gives <see cref="CollectorAccept.Error"/> and nothing to forward.
    /// </summary>
    CollectorAccept Accept(CollectorHit hit);

    /// <summary>The answer the vendor's SDK expects for a hit that was taken (forwarded or dropped for consent).</summary>
    IResult Answer(CollectorHit hit, CollectorAccept accepted);

    /// <summary>Groups queued envelopes into upstream requests (batched where the vendor's API allows).</summary>
    IEnumerable<UpstreamRequest> CreateRequests(Uri upstream, IReadOnlyList<CollectorEnvelope> batch);

    /// <summary>What the vendor's answer means for the envelopes the request carried.</summary>
    ValueTask<DeliveryOutcome> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken);

    /// <summary>An event made on the server (<c>IFirstPartyTracker</c>), in the vendor's format, or null when the vendor cannot take it.</summary>
    CollectorEnvelope? CreateEvent(TrackedEvent trackedEvent, CollectorVisitor visitor, DateTimeOffset now);
}

/// <summary>One endpoint of a vendor: the pattern below the vendor's segment, its method and what it is.</summary>
/// <param name="Pattern">The route pattern below <c>{PathPrefix}/{vendor}</c>, for example <c>/com.snowplowanalytics.snowplow/tp2</c>.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Kind">What the endpoint is, for the vendor's own switch (<c>tp2</c>, <c>pixel</c>, <c>cookie-extension</c>).</param>
internal sealed record CollectorRoute(string Pattern, string Method, string Kind);

/// <summary>One request to a vendor's endpoint, read by the collector.</summary>
internal sealed class CollectorHit
{
    public required HttpContext Context { get; init; }

    public required CollectorRoute Route { get; init; }

    /// <summary>The request body (at most the vendor's limit).</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>Whether consent allows the vendor for this request.</summary>
    public required bool Granted { get; init; }

    /// <summary>The server's identity for the visitor, reduced for the vendor.</summary>
    public required CollectorVisitor Visitor { get; init; }

    public required DateTimeOffset Now { get; init; }
}

/// <summary>The result of reading a hit.</summary>
internal readonly record struct CollectorAccept
{
    /// <summary>What to forward (empty when consent refuses or nothing was in the hit).</summary>
    public IReadOnlyList<CollectorEnvelope> Envelopes { get; init; }

    /// <summary>How many events the hit held.</summary>
    public int Events { get; init; }

    /// <summary>How many ids in the hit differed from the server's and were replaced.</summary>
    public int IdsReplaced { get; init; }

    /// <summary>Why the hit is malformed (answered 400, never forwarded), or null.</summary>
    public string? Error { get; init; }

    /// <summary>Members the vendor's SDK reads in a 400 answer (Amplitude's <c>error</c>, <c>missing_field</c>), added to the problem+json body; null for none.</summary>
    public IReadOnlyDictionary<string, object?>? ProblemExtensions { get; init; }

    public static CollectorAccept Malformed(string error, IReadOnlyDictionary<string, object?>? problemExtensions = null)
        => new() { Envelopes = [], Error = error, ProblemExtensions = problemExtensions };
}

/// <summary>An upstream request and the indexes (in the batch) of the envelopes it carries.</summary>
internal sealed record UpstreamRequest(HttpRequestMessage Message, int[] Items);
