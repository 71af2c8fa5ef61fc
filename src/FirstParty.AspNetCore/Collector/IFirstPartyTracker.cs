using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>
/// Sends analytics events from server code for the current visitor, through the collector's consent
/// check and durable queue, in each vendor's format (Snowplow, Amplitude, GA4, Plausible). Also
/// reachable as <c>HttpContext.TrackAsync(...)</c>.
/// </summary>
public interface IFirstPartyTracker
{
    /// <summary>
    /// Queues <paramref name="trackedEvent"/> for every enabled vendor that consent allows for this
    /// request. Returns once the event is queued (or spilled to disk), not when the vendors have it.
    /// </summary>
    /// <returns>Which vendors it was queued for and which were skipped, and why.</returns>
    ValueTask<TrackResult> TrackAsync(HttpContext context, TrackedEvent trackedEvent);
}

/// <summary>What became of a tracked event.</summary>
public sealed class TrackResult
{
    /// <summary>Creates a result.</summary>
    public TrackResult(IReadOnlyList<string> queued, IReadOnlyList<string> refused)
    {
        Queued = queued;
        Refused = refused;
    }

    /// <summary>The vendors the event was queued for.</summary>
    public IReadOnlyList<string> Queued { get; }

    /// <summary>The vendors consent did not allow (the event was not sent to them).</summary>
    public IReadOnlyList<string> Refused { get; }
}
