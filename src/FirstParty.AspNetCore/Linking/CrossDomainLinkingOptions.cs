namespace FirstParty.AspNetCore;

/// <summary>
/// Cross-domain linking between sister sites, bound from <c>FirstParty:Linking</c>: links to the
/// <see cref="Domains"/> carry the visitor id in a signed, short-lived parameter that the other site
/// (running FirstParty too) accepts if its own consent state allows.
/// </summary>
public sealed class CrossDomainLinkingOptions
{
    /// <summary>The sister sites' host names: where links are decorated, and whose links are accepted. Empty turns linking off.</summary>
    public IList<string> Domains { get; set; } = [];

    /// <summary>The query parameter. Default <c>_fpl</c>.</summary>
    public string ParameterName { get; set; } = "_fpl";

    /// <summary>How long a link stays valid after the click. Default two minutes.</summary>
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// A secret both sites share (base64, at least 32 bytes) for sites that do not share a Data
    /// Protection key ring. Null: links are protected with Data Protection, so both sites need the
    /// same key ring and application name.
    /// </summary>
    public string? SharedKey { get; set; }

    /// <summary>
    /// How long the check that a link was not used before may wait for the shared store (the app's
    /// <c>IDistributedCache</c>, such as Redis) before this instance's memory decides alone. Default one second.
    /// </summary>
    public TimeSpan ReplayStoreTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
