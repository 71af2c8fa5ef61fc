namespace FirstParty.AspNetCore.Visitors;

/// <summary>Validates the <c>FirstParty:Session</c> section at startup.</summary>
internal static class VisitorSessionOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    /// <param name="session">The section checked.</param>
    /// <param name="visitor">The visitor cookie, whose name the session cookie must not reuse.</param>
    /// <param name="cookies">The shared cookie attributes a prefixed cookie name must agree with.</param>
    /// <param name="failures">Where each failure is added.</param>
    public static void Validate(VisitorSessionOptions session, VisitorOptions visitor, FirstPartyCookieOptions cookies, List<string> failures)
    {
        OptionsValidation.CookieName($"{Section}:Session:CookieName", session.CookieName, cookies, failures);
        if (string.Equals(visitor.CookieName, session.CookieName, StringComparison.Ordinal))
        {
            failures.Add($"{Section}:Visitor:CookieName and {Section}:Session:CookieName must differ; both are '{visitor.CookieName}'.");
        }

        if (session.Timeout <= TimeSpan.Zero || session.Timeout > VisitorOptions.MaximumLifetime)
        {
            failures.Add($"{Section}:Session:Timeout must be more than zero and at most 400 days; it is {OptionsValidation.Format(session.Timeout)}.");
        }

        if (session.RefreshInterval < TimeSpan.Zero || session.RefreshInterval >= session.Timeout)
        {
            failures.Add($"{Section}:Session:RefreshInterval must be at least zero and shorter than {Section}:Session:Timeout; it is {OptionsValidation.Format(session.RefreshInterval)}.");
        }
    }
}
