namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// One-line assertions over a <see cref="CookieAuditReport"/>. Each throws a
/// <see cref="CookieAuditException"/> naming every offending cookie or key with its page and state,
/// and returns the report so they can be chained.
/// </summary>
public static class CookieAuditAssertions
{
    /// <summary>
    /// Without a decision under OptIn, nothing but the required categories' cookies and keys is stored
    /// (an undeclared one counts: nothing says it is necessary).
    /// </summary>
    /// <exception cref="CookieAuditException">Something else was stored, or the report has no undecided OptIn state to judge.</exception>
    public static CookieAuditReport AssertNothingBeforeConsent(this CookieAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var undecided = report.States.Where(s => !s.Decided && s.Regime == "OptIn").ToList();
        if (undecided.Count == 0)
        {
            throw new CookieAuditException("nothing before consent", ["the report has no undecided state under OptIn to check"]);
        }

        return Check(report, "nothing before consent under OptIn", undecided
            .SelectMany(s => s.Pages.SelectMany(p => p.Items
                .Where(i => i.Category is null || !s.RequiredCategories.Contains(i.Category))
                .Select(i => $"{i} ({i.Category ?? "undeclared"}) is stored before consent on {p.Path} in state {s.Name}"))));
    }

    /// <summary>Every cookie and key matches a declaration of the site's cookie catalogue.</summary>
    /// <exception cref="CookieAuditException">Something undeclared was stored.</exception>
    public static CookieAuditReport AssertAllDeclared(this CookieAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Check(report, "everything declared", report.States
            .SelectMany(s => s.Pages.SelectMany(p => p.Items
                .Where(i => !i.Declared)
                .Select(i => $"{i} is not declared, on {p.Path} in state {s.Name}"))));
    }

    /// <summary>After a decision, nothing of a refused category or service is left (cookies and storage).</summary>
    /// <exception cref="CookieAuditException">Something of a refused category was stored.</exception>
    public static CookieAuditReport AssertRefusalsHonoured(this CookieAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Check(report, "refusals honoured", report.States
            .Where(s => s.Decided)
            .SelectMany(s => s.Pages.SelectMany(p => p.Items
                .Where(i => i.ConsentKey is not null && s.Refuses(i.ConsentKey))
                .Select(i => $"{i} ({i.ConsentKey}) is stored on {p.Path} in state {s.Name}, which refuses it"))));
    }

    /// <summary>Without a decision, every page's banner offers "reject all" on its first layer.</summary>
    /// <exception cref="CookieAuditException">A page has no banner, or its reject control needs another click.</exception>
    public static CookieAuditReport AssertRejectOnFirstLayer(this CookieAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var undecided = report.States.Where(s => !s.Decided).ToList();
        if (undecided.Count == 0)
        {
            throw new CookieAuditException("reject on the first layer", ["the report has no undecided state to check"]);
        }

        return Check(report, "reject on the first layer", undecided
            .SelectMany(s => s.Pages
                .Where(p => p.RejectOnFirstLayer != true)
                .Select(p => $"no reject control on the banner's first layer on {p.Path} in state {s.Name}")));
    }

    /// <summary>Every audited page has a control that reopens the preferences or the privacy centre.</summary>
    /// <exception cref="CookieAuditException">A page offers no way to withdraw.</exception>
    public static CookieAuditReport AssertWithdrawalReachable(this CookieAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return Check(report, "withdrawal reachable", report.States
            .SelectMany(s => s.Pages
                .Where(p => !p.WithdrawalReachable)
                .Select(p => $"no preferences or privacy-centre control on {p.Path} in state {s.Name}")));
    }

    /// <summary>All the checks above; the exception lists every violation of each.</summary>
    /// <exception cref="CookieAuditException">At least one check failed.</exception>
    public static CookieAuditReport AssertCompliant(this CookieAuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        Func<CookieAuditReport, CookieAuditReport>[] checks =
        [
            AssertNothingBeforeConsent, AssertAllDeclared, AssertRefusalsHonoured, AssertRejectOnFirstLayer, AssertWithdrawalReachable,
        ];
        var violations = new List<string>();
        foreach (var check in checks)
        {
            try
            {
                check(report);
            }
            catch (CookieAuditException e)
            {
                violations.AddRange(e.Violations);
            }
        }

        return violations.Count == 0 ? report : throw new CookieAuditException("compliance", violations);
    }

    private static CookieAuditReport Check(CookieAuditReport report, string rule, IEnumerable<string> violations)
    {
        var list = violations.Distinct(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? report : throw new CookieAuditException(rule, list);
    }
}
