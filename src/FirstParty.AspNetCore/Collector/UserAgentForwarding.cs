namespace FirstParty.AspNetCore;

/// <summary>What the collector tells a vendor about the visitor's browser.</summary>
public enum UserAgentForwarding
{
    /// <summary>The <c>User-Agent</c> header as the browser sent it.</summary>
    Full,

    /// <summary>
    /// Product names and major versions only: every version's minor parts are zeroed
    /// (<c>Chrome/131.0.6778.85</c> becomes <c>Chrome/131.0.0.0</c>, as Chrome's own reduced
    /// user agent does), so browser and OS reports keep working without the fine-grained entropy.
    /// </summary>
    Reduced,

    /// <summary>No user agent at all. Vendors that derive browser and device reports from it show them as unknown.</summary>
    None,
}
