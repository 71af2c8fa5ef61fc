using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>
/// Options for FirstParty, bound from the <c>FirstParty</c> configuration section.
/// </summary>
/// <remarks>
/// Every value is validated when the application starts; an invalid value stops the host with a
/// message that names the option (for example <c>FirstParty:Visitor:Lifetime</c>).
/// </remarks>
public sealed class FirstPartyOptions
{
    /// <summary>The configuration section name, <c>FirstParty</c>.</summary>
    public const string SectionName = "FirstParty";

    /// <summary>The visitor cookie: long-lived visitor identity.</summary>
    public VisitorOptions Visitor { get; set; } = new();

    /// <summary>The session cookie: the current visit.</summary>
    public VisitorSessionOptions Session { get; set; } = new();

    /// <summary>The consent service: categories, regimes by region, opt-out signals, the consent cookie.</summary>
    public ConsentOptions Consent { get; set; } = new();

    /// <summary>The consent endpoints mapped by <c>MapFirstParty()</c>.</summary>
    public FirstPartyEndpointOptions Endpoints { get; set; } = new();

    /// <summary>Attributes shared by every cookie FirstParty writes.</summary>
    public FirstPartyCookieOptions Cookies { get; set; } = new();

    /// <summary>The consent banner, preferences and the other consent tag helpers.</summary>
    public ConsentBannerOptions Banner { get; set; } = new();

    /// <summary>Google Consent Mode v2 defaults and updates rendered by <c>&lt;consent-mode /&gt;</c>.</summary>
    public ConsentModeOptions ConsentMode { get; set; } = new();

    /// <summary>The analytics SDKs whose id cookies the server writes (enabled with <c>AddSnowplow()</c> and the like).</summary>
    public ProviderProfileOptions Providers { get; set; } = new();

    /// <summary>Cross-domain linking of the visitor id between sister sites.</summary>
    public CrossDomainLinkingOptions Linking { get; set; } = new();

    /// <summary>The consent ledger: how receipts are written, kept and erased.</summary>
    public ConsentLedgerOptions Ledger { get; set; } = new();

    /// <summary>The same-origin collector that forwards the SDKs' events to their vendors (<c>MapFirstPartyCollector()</c>).</summary>
    public CollectorOptions Collector { get; set; } = new();

    /// <summary>
    /// The Content-Security-Policy nonce of the request, put on every inline and gated script the tag
    /// helpers render, so a policy without <c>'unsafe-inline'</c> allows them. For example with
    /// NetEscapades.AspNetCore.SecurityHeaders: <c>options.ScriptNonce = context =&gt; context.GetNonce();</c>.
    /// Set in code (it is not bound from configuration). Null renders no nonce.
    /// </summary>
    public Func<HttpContext, string?>? ScriptNonce { get; set; }

    /// <summary>Callbacks raised on the request path.</summary>
    public FirstPartyEvents Events { get; set; } = new();
}
