using System.Globalization;
using System.Text;

namespace FirstParty.AspNetCore.Testing;

/// <summary>Writes a report as Markdown tables, stable from run to run so a committed copy diffs cleanly.</summary>
internal static class CookieAuditMarkdown
{
    public static string Write(CookieAuditReport report)
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"# Cookie audit ({report.Mode})\n");
        foreach (var state in report.States)
        {
            var granted = string.Join(", ", state.Categories.Where(c => c.Value).Select(c => c.Key));
            md.Append(CultureInfo.InvariantCulture, $"\n## {state.Name}\n\n");
            md.Append(CultureInfo.InvariantCulture, $"Regime {state.Regime}, {(state.Decided ? "decided" : "no decision")}; granted: {(granted.Length == 0 ? "nothing" : granted)}.\n\n");
            md.Append("| Page | Status | Reject on first layer | Withdrawal reachable |\n|---|---|---|---|\n");
            foreach (var page in state.Pages)
            {
                md.Append(CultureInfo.InvariantCulture, $"| {Cell(page.Path)} | {page.Status} | {YesNo(page.RejectOnFirstLayer)} | {YesNo(page.WithdrawalReachable)} |\n");
            }

            var rows = state.Pages
                .SelectMany(p => p.Items.Select(i => (Page: p.Path, Item: i)))
                .GroupBy(x => (x.Item.Kind, x.Item.Name, x.Item.Domain, x.Item.Path))
                .OrderBy(g => g.Key.Kind)
                .ThenBy(g => g.Key.Name, StringComparer.Ordinal)
                .ThenBy(g => g.Key.Domain, StringComparer.Ordinal)
                .ToList();
            md.Append('\n');
            if (rows.Count == 0)
            {
                md.Append("Nothing stored.\n");
                continue;
            }

            md.Append("| Kind | Name | Category | Service | Provider | Domain | Path | Lifetime | HttpOnly | Secure | SameSite | Pages |\n");
            md.Append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            foreach (var row in rows)
            {
                var item = row.Last().Item;
                var pages = row.Select(x => x.Page).Distinct(StringComparer.Ordinal).ToList();
                var cookie = item.Kind == AuditedItemKind.Cookie;
                md.Append(CultureInfo.InvariantCulture, $"| {Kind(item.Kind)} | {Cell(item.Name)} | {Cell(item.Category ?? "**undeclared**")} | {Cell(item.Service)} | {Cell(item.Provider)} | {Cell(item.Domain)} | {Cell(item.Path)} | {(cookie ? Lifetime(item.Lifetime) : "")} | {(cookie ? YesNo(item.HttpOnly) : "")} | {(cookie ? YesNo(item.Secure) : "")} | {Cell(item.SameSite)} | {(pages.Count == state.Pages.Count ? "all" : Cell(string.Join(", ", pages)))} |\n");
            }
        }

        return md.ToString();
    }

    internal static string Lifetime(TimeSpan? lifetime) => lifetime switch
    {
        null => "session",
        { TotalDays: >= 1 } l => Plural(Math.Round(l.TotalDays), "day"),
        { TotalHours: >= 1 } l => Plural(Math.Round(l.TotalHours), "hour"),
        { } l => Plural(Math.Max(1, Math.Round(l.TotalMinutes)), "minute"),
    };

    private static string Plural(double value, string unit)
        => string.Create(CultureInfo.InvariantCulture, $"{value} {unit}{(value == 1 ? "" : "s")}");

    private static string Kind(AuditedItemKind kind) => kind switch
    {
        AuditedItemKind.Cookie => "cookie",
        AuditedItemKind.LocalStorage => "localStorage",
        AuditedItemKind.SessionStorage => "sessionStorage",
        _ => "IndexedDB",
    };

    private static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => "n/a" };

    // A name is data from the site: keep it from breaking the table.
    private static string Cell(string? text) => text is null ? "" : text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
}
