using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Consent;

/// <summary>Reads the region from the headers named in <see cref="ConsentOptions"/>.</summary>
internal sealed class HeaderRegionResolver(IOptions<FirstPartyOptions> options) : IRegionResolver
{
    private readonly ConsentOptions _options = options.Value.Consent;

    public string? ResolveRegion(HttpContext context)
    {
        if (_options.RegionHeader is not { Length: > 0 } header)
        {
            return null;
        }

        string? subdivision = _options.SubdivisionHeader is { Length: > 0 } subHeader ? context.Request.Headers[subHeader].ToString() : null;
        return RegionRules.Normalize(context.Request.Headers[header].ToString(), subdivision);
    }
}
