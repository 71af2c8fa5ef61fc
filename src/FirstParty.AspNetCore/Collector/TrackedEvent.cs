namespace FirstParty.AspNetCore;

/// <summary>
/// An analytics event sent from server code through the collector (<see cref="IFirstPartyTracker"/>):
/// a page view for a visitor without JavaScript, a purchase the server confirmed. Each vendor gets it
/// in its own format, with the visitor's ids, only when consent allows that vendor.
/// </summary>
public sealed class TrackedEvent
{
    /// <summary>The name of a page view event.</summary>
    public const string PageViewName = "page_view";

    /// <summary>Creates an event.</summary>
    /// <param name="name">The event name (<c>purchase</c>); <see cref="PageViewName"/> makes a page view in every vendor's terms.</param>
    public TrackedEvent(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The event name.</summary>
    public string Name { get; }

    /// <summary>The page the event belongs to (absolute, or a path on this site). Null: the current request's URL.</summary>
    public string? Url { get; init; }

    /// <summary>The page title, for page views.</summary>
    public string? Title { get; init; }

    /// <summary>The referrer, for page views. Null: the request's <c>Referer</c>.</summary>
    public string? Referrer { get; init; }

    /// <summary>
    /// The event's properties: strings, numbers and booleans (other values are written as strings).
    /// Snowplow gets them as a structured event's label and value when there is one of each, else as
    /// JSON in the label; Amplitude as <c>event_properties</c>; GA4 as <c>ep.</c>/<c>epn.</c>; Plausible as <c>props</c>.
    /// </summary>
    public IDictionary<string, object?> Properties { get; init; } = new Dictionary<string, object?>(StringComparer.Ordinal);

    /// <summary>Only these vendors (<c>snowplow</c>, <c>amplitude</c>, <c>ga4</c>, <c>plausible</c>); null or empty for every enabled one.</summary>
    public IReadOnlyCollection<string>? Vendors { get; init; }

    /// <summary>A page view of the current request (or of <paramref name="url"/>).</summary>
    public static TrackedEvent PageView(string? url = null, string? title = null) => new(PageViewName) { Url = url, Title = title };
}
