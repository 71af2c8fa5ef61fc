using FirstParty.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.AspNetCore.Http;

/// <summary>Sends analytics events for the current visitor from server code.</summary>
public static class TrackerHttpContextExtensions
{
    /// <summary>
    /// Queues <paramref name="trackedEvent"/> for every collector vendor that consent allows for this
    /// request (see <see cref="IFirstPartyTracker"/>).
    /// </summary>
    public static ValueTask<TrackResult> TrackAsync(this HttpContext context, TrackedEvent trackedEvent)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.RequestServices.GetRequiredService<IFirstPartyTracker>().TrackAsync(context, trackedEvent);
    }

    /// <summary>Queues an event named <paramref name="name"/> with optional properties for every vendor consent allows.</summary>
    public static ValueTask<TrackResult> TrackAsync(this HttpContext context, string name, IDictionary<string, object?>? properties = null)
        => context.TrackAsync(new TrackedEvent(name) { Properties = properties ?? new Dictionary<string, object?>(StringComparer.Ordinal) });
}
