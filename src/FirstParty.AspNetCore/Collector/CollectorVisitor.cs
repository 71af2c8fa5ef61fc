namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// What the server knows of the visitor behind one collector request, as the vendor may learn it:
/// the ids the SDKs should be using, the user id, the IP address and user agent already reduced by
/// the vendor's settings.
/// </summary>
internal sealed record CollectorVisitor
{
    /// <summary>The server's visitor id, or null when the browser has no visitor cookie.</summary>
    public string? VisitorId { get; init; }

    /// <summary>The current session's id.</summary>
    public string? SessionId { get; init; }

    /// <summary>The current session's number (1 for the first).</summary>
    public int SessionIndex { get; init; }

    /// <summary>When the current session started.</summary>
    public DateTimeOffset? SessionStart { get; init; }

    /// <summary>The SDKs' ids for this visitor (Snowplow <c>duid</c>, Amplitude <c>device_id</c>, GA4 <c>cid</c>).</summary>
    public ProviderIds Ids { get; init; } = new(null, null, null);

    /// <summary>The signed-in user's id (<c>FirstParty:Providers:UserId</c>), only when consent allows the vendor.</summary>
    public string? UserId { get; init; }

    /// <summary>The IP address to forward (per <see cref="CollectorVendorOptions.IpForwarding"/>), or null.</summary>
    public string? ClientIp { get; init; }

    /// <summary>The user agent to forward (per <see cref="CollectorVendorOptions.UserAgent"/>), or null.</summary>
    public string? UserAgent { get; init; }

    /// <summary>Snowplow's network user id: the request's <c>sp</c> cookie when it holds a UUID (Snowplow only), else null.</summary>
    public string? NetworkUserId { get; init; }
}
