using System.Reflection;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// The page and library details of an event made on the server, shared by the vendors: the event's
/// URL made absolute against the current request (once, by the tracker), and the name the collector
/// reports itself under.
/// </summary>
internal static class TrackedEventPage
{
    /// <summary>The collector as an analytics library (<c>firstparty-dotnet/1.2.3</c>).</summary>
    public static readonly string Library = "firstparty-dotnet/" + LibraryVersion();

    /// <summary>
    /// An event's URL made absolute: as given when it is an absolute http(s) URL, below
    /// <paramref name="origin"/> when it is a path, null when it cannot be (no origin).
    /// </summary>
    public static string? Absolute(string url, string? origin)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && (absolute.Scheme == Uri.UriSchemeHttps || absolute.Scheme == Uri.UriSchemeHttp))
        {
            return absolute.AbsoluteUri;
        }

        return origin is null ? null : origin + (url.StartsWith('/') ? url : "/" + url);
    }

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
