using System.Reflection;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// The page and library details of an event made on the server, shared by the vendors: the event's
/// URL made absolute against the current request, and the name the collector reports itself under.
/// </summary>
internal static class TrackedEventPage
{
    /// <summary>The collector as an analytics library (<c>firstparty-dotnet/1.2.3</c>).</summary>
    public static readonly string Library = "firstparty-dotnet/" + LibraryVersion();

    /// <summary>
    /// The event's URL: as given when absolute, below the request's origin when a path, else the
    /// current request's URL. Null when there is neither (no host on the request and a relative URL).
    /// </summary>
    public static string? Url(TrackedEvent trackedEvent, CollectorVisitor visitor)
    {
        if (trackedEvent.Url is { } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp))
            {
                return absolute.AbsoluteUri;
            }

            return visitor.Origin is { } origin ? origin + (url.StartsWith('/') ? url : "/" + url) : null;
        }

        return visitor.Origin is { } requestOrigin ? requestOrigin + visitor.RequestPath : null;
    }

    /// <summary>The event's referrer, else the request's <c>Referer</c>.</summary>
    public static string? Referrer(TrackedEvent trackedEvent, CollectorVisitor visitor) => trackedEvent.Referrer ?? visitor.Referrer;

    private static string LibraryVersion()
    {
        var assembly = typeof(TrackedEventPage).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "0";

        // The commit hash SourceLink appends says nothing to an analytics report.
        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? version : version[..plus];
    }
}
