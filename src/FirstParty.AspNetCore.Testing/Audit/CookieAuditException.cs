namespace FirstParty.AspNetCore.Testing;

/// <summary>A cookie audit found violations; the message lists each with its cookie or key, page and state.</summary>
public sealed class CookieAuditException : Exception
{
    /// <summary>An audit failure with no listed violations.</summary>
    public CookieAuditException()
    {
    }

    /// <summary>An audit failure described by <paramref name="message"/>.</summary>
    public CookieAuditException(string message)
        : base(message)
    {
        Violations = [message];
    }

    /// <summary>An audit failure caused by <paramref name="innerException"/>.</summary>
    public CookieAuditException(string message, Exception innerException)
        : base(message, innerException)
    {
        Violations = [message];
    }

    internal CookieAuditException(string rule, IReadOnlyList<string> violations)
        : base($"Cookie audit: {rule}: {violations.Count} violation(s):\n  " + string.Join("\n  ", violations))
    {
        Violations = violations;
    }

    /// <summary>Each violation, one sentence naming the cookie or key, the page and the state.</summary>
    public IReadOnlyList<string> Violations { get; } = [];
}
