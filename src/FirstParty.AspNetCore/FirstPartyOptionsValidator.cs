using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Endpoints;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Linking;
using FirstParty.AspNetCore.TagHelpers;
using FirstParty.AspNetCore.Visitors;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore;

/// <summary>
/// Validates <see cref="FirstPartyOptions"/> at startup. Each failure names the configuration key
/// and the rule, so a bad deployment stops with an actionable message. Each section's rules live
/// beside its options; this only composes them.
/// </summary>
internal sealed class FirstPartyOptionsValidator : IValidateOptions<FirstPartyOptions>
{
    private const string Section = FirstPartyOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, FirstPartyOptions options)
    {
        var visitor = options.Visitor;
        var session = options.Session;
        var cookies = options.Cookies;

        // The sections below read each other (cookie names against cookie attributes, consent
        // against the visitor), so these must exist before any of them runs.
        if (visitor is null || session is null || cookies is null || options.Events is null || options.Consent is null || options.Endpoints is null)
        {
            return ValidateOptionsResult.Fail($"{Section}:Visitor, {Section}:Session, {Section}:Consent, {Section}:Endpoints, {Section}:Cookies and Events must not be null.");
        }

        var failures = new List<string>();
        VisitorOptionsValidator.Validate(visitor, cookies, failures);
        VisitorSessionOptionsValidator.Validate(session, visitor, cookies, failures);
        FirstPartyCookieOptionsValidator.Validate(cookies, failures);
        ConsentOptionsValidator.Validate(options.Consent, visitor, session, cookies, failures);
        FirstPartyEndpointOptionsValidator.Validate(options.Endpoints, failures);
        ConsentBannerOptionsValidator.Validate(options.Banner, failures);
        ConsentModeOptionsValidator.Validate(options.ConsentMode, options.Consent, failures);
        ConsentLedgerOptionsValidator.Validate(options.Ledger, failures);
        CrossDomainLinkingOptionsValidator.Validate(options.Linking, failures);
        Collector.CollectorOptionsValidator.Validate(options.Collector, options.Consent, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
