namespace FirstParty.AspNetCore;

/// <summary>Options for the endpoints mapped by <c>MapFirstParty()</c> (<c>FirstParty:Endpoints</c>).</summary>
public sealed class FirstPartyEndpointOptions
{
    /// <summary>The path the consent endpoints live under. Default <c>/_fp</c>.</summary>
    public string PathPrefix { get; set; } = "/_fp";

    /// <summary>
    /// The date the site last changed its Global Privacy Control policy, reported as
    /// <c>lastUpdate</c> in <c>/.well-known/gpc.json</c>; omitted when null.
    /// </summary>
    public DateOnly? GlobalPrivacyControlLastUpdate { get; set; }
}
