namespace FirstParty.AspNetCore;

/// <summary>What the collector tells a vendor about the visitor's IP address.</summary>
public enum IpForwarding
{
    /// <summary>Nothing: the vendor's IP field is cleared, so it never sees the visitor's address (nor mistakes the server's for it).</summary>
    None,

    /// <summary>The network only: the last octet of an IPv4 address and the last 80 bits of an IPv6 address are zeroed (/24, /48), the ledger's rule.</summary>
    Anonymized,

    /// <summary>The full address, as the app sees it (after the forwarded-headers middleware when it is used).</summary>
    Full,
}
