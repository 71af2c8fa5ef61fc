namespace FirstParty.AspNetCore;

/// <summary>How consent is obtained where a request comes from.</summary>
public enum ConsentRegime
{
    /// <summary>Nothing non-essential before an explicit yes (GDPR and ePrivacy in the EEA, UK).</summary>
    OptIn,

    /// <summary>Allowed until the person says no; Global Privacy Control counts as a no for sale/sharing categories (US states).</summary>
    OptOut,

    /// <summary>Allowed unless the person says no; the banner only informs.</summary>
    Implied,
}
