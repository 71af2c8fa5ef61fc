using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>
/// Attributes shared by the cookies FirstParty writes (<c>FirstParty:Cookies</c>).
/// </summary>
public sealed class FirstPartyCookieOptions
{
    /// <summary>
    /// The cookie <c>Domain</c>. When null (default) it is the registrable domain of the request
    /// host computed from the Public Suffix List (<c>www.example.co.uk</c> gives <c>example.co.uk</c>);
    /// IP literals, single-label hosts such as <c>localhost</c> and hosts that are themselves public
    /// suffixes get host-only cookies.
    /// </summary>
    public string? Domain { get; set; }

    /// <summary>When to add <c>Secure</c>. Default <see cref="CookieSecurePolicy.SameAsRequest"/>.</summary>
    public CookieSecurePolicy Secure { get; set; } = CookieSecurePolicy.SameAsRequest;

    /// <summary>The <c>SameSite</c> attribute. Default <see cref="SameSiteMode.Lax"/>.</summary>
    public SameSiteMode SameSite { get; set; } = SameSiteMode.Lax;

    /// <summary>
    /// A Public Suffix List file (the <c>public_suffix_list.dat</c> format) to use instead of the
    /// embedded copy, for example Debian's <c>/usr/share/publicsuffix/public_suffix_list.dat</c>.
    /// </summary>
    public string? PublicSuffixListPath { get; set; }

    /// <summary>
    /// The format FirstParty writes its visitor, session and consent cookies in: <c>3</c> (default),
    /// the compact binary format, or <c>2</c>, the signed text format of earlier releases. Both are
    /// always read. Set <c>2</c> while a web farm rolls out this release, so that instances still on
    /// an earlier release (which read format 2 only) keep recognising the cookies the upgraded ones
    /// write; set it back to <c>3</c> once every instance runs this release.
    /// </summary>
    public int Format { get; set; } = 3;
}
