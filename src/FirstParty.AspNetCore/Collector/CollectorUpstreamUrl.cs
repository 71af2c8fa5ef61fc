namespace FirstParty.AspNetCore.Collector;

/// <summary>Builds the URL of a vendor endpoint below its configured upstream (which may have a path of its own).</summary>
internal static class CollectorUpstreamUrl
{
    public static Uri Combine(Uri upstream, string path, string? query = null)
    {
        var root = upstream.AbsoluteUri;
        return new Uri(string.Concat(root.AsSpan(0, root.EndsWith('/') ? root.Length - 1 : root.Length), path, query), UriKind.Absolute);
    }
}
