using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>
/// Finds the region of a request: an ISO 3166-1 alpha-2 country code, optionally with an ISO 3166-2
/// subdivision (<c>US-CA</c>). Register your own to use a GeoIP database; the default reads
/// <see cref="ConsentOptions.RegionHeader"/>.
/// </summary>
public interface IRegionResolver
{
    /// <summary>Returns the region in upper case, or null when unknown.</summary>
    string? ResolveRegion(HttpContext context);
}
