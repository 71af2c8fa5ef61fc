namespace FirstParty.AspNetCore;

/// <summary>
/// Google Consent Mode v2 as rendered by <c>&lt;consent-mode /&gt;</c>, bound from
/// <c>FirstParty:ConsentMode</c>.
/// </summary>
public sealed class ConsentModeOptions
{
    /// <summary>
    /// Which category (or <c>category/service</c>) grants each Consent Mode signal. Configuration
    /// entries replace single defaults; map a signal to <c>necessary</c> to grant it always.
    /// </summary>
    public IDictionary<string, string> Signals { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ad_storage"] = "marketing",
        ["ad_user_data"] = "marketing",
        ["ad_personalization"] = "marketing",
        ["analytics_storage"] = "analytics",
        ["functionality_storage"] = "necessary",
        ["personalization_storage"] = "preferences",
        ["security_storage"] = "necessary",
    };

    /// <summary>
    /// Milliseconds Google tags wait for an <c>update</c> before they fire, rendered as
    /// <c>wait_for_update</c> while the person has not decided. Default 500; null leaves it out.
    /// </summary>
    public int? WaitForUpdate { get; set; } = 500;

    /// <summary>Redact ad click identifiers while <c>ad_storage</c> is denied (<c>ads_data_redaction</c>). Default true.</summary>
    public bool AdsDataRedaction { get; set; } = true;

    /// <summary>Pass ad click information through URLs while storage is denied (<c>url_passthrough</c>). Default false.</summary>
    public bool UrlPassthrough { get; set; }

    /// <summary>The name of the data layer array. Default <c>dataLayer</c>.</summary>
    public string DataLayerName { get; set; } = "dataLayer";
}
