using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using FirstParty.AspNetCore.Consent;
using Microsoft.AspNetCore.Antiforgery;

namespace FirstParty.AspNetCore.Insights;

/// <summary>What one rendering of the insights page shows.</summary>
internal sealed class InsightsPageModel
{
    public required string BasePath { get; init; }

    public required AntiforgeryTokenSet Tokens { get; init; }

    public required DateTimeOffset Now { get; init; }

    public required int Days { get; init; }

    public string? Region { get; init; }

    public int? Revision { get; init; }

    public required IReadOnlyList<ConsentAggregate> Aggregates { get; init; }

    public required InsightsMeterAggregate Live { get; init; }

    public required IReadOnlyList<StaffAction> StaffActions { get; init; }

    public string? Message { get; init; }

    public string? Error { get; init; }

    public ReceiptSubject? Subject { get; init; }

    public IReadOnlyList<ConsentReceipt>? Receipts { get; init; }
}

/// <summary>
/// Writes the staff insights page: server-rendered HTML with inline SVG charts and plain forms,
/// no script, no inline style, so it runs under the strictest Content-Security-Policy.
/// </summary>
internal static class InsightsPage
{
    public static readonly int[] DayChoices = [7, 30, 90, 365];

    private static readonly string[] Sources = [ConsentSources.AcceptAll, ConsentSources.Custom, ConsentSources.RejectAll, ConsentSources.Withdraw, ConsentSources.Gpc, ConsentSources.Api];

    public static string Render(InsightsPageModel model, HtmlEncoder encoder)
    {
        var html = new StringBuilder(16 * 1024);
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><meta name=\"robots\" content=\"noindex\">")
            .Append("<title>Consent insights</title>")
            .Append(CultureInfo.InvariantCulture, $"<link rel=\"stylesheet\" href=\"{encoder.Encode(model.BasePath + InsightsStylesheet.Path)}\"></head><body><main>")
            .Append("<h1>Consent insights</h1>");
        if (model.Message is { } message)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"fpi-message\" role=\"status\">{encoder.Encode(message)}</p>");
        }

        if (model.Error is { } error)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"fpi-error\" role=\"alert\">{encoder.Encode(error)}</p>");
        }

        Ledger(html, encoder, model);
        Live(html, encoder, model);
        Requests(html, encoder, model);
        Actions(html, encoder, model);
        html.Append("</main></body></html>");
        return html.ToString();
    }

    private static void Ledger(StringBuilder html, HtmlEncoder encoder, InsightsPageModel model)
    {
        html.Append("<section aria-labelledby=\"fpi-ledger\"><h2 id=\"fpi-ledger\">Decisions in the ledger</h2>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"fpi-note\">Counts of the receipts stored in the consent ledger (every instance), by UTC day, for the last {model.Days} days. Receipts still on their way to the store are not counted yet.</p>");

        // The filters: a GET form, so a view can be bookmarked and shared.
        var regions = model.Aggregates.Select(a => a.Region ?? string.Empty).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var revisions = model.Aggregates.Select(a => a.Revision).Distinct().Order().ToList();
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"get\" action=\"{encoder.Encode(model.BasePath)}\" class=\"fpi-filters\">")
            .Append("<label>Period<select name=\"days\">");
        foreach (var days in DayChoices)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{days}\"{(days == model.Days ? " selected" : string.Empty)}>last {days} days</option>");
        }

        html.Append("</select></label><label>Region<select name=\"region\"><option value=\"\">all regions</option>");
        foreach (var region in regions.Where(r => r.Length > 0))
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{encoder.Encode(region)}\"{(region == model.Region ? " selected" : string.Empty)}>{encoder.Encode(region)}</option>");
        }

        html.Append("</select></label><label>Policy revision<select name=\"revision\"><option value=\"\">all revisions</option>");
        foreach (var revision in revisions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{revision}\"{(revision == model.Revision ? " selected" : string.Empty)}>{revision}</option>");
        }

        html.Append("</select></label><button type=\"submit\">Show</button></form>");

        var filtered = model.Aggregates
            .Where(a => model.Region is null || string.Equals(a.Region, model.Region, StringComparison.Ordinal))
            .Where(a => model.Revision is null || a.Revision == model.Revision)
            .ToList();
        var total = filtered.Sum(a => (long)a.Count);
        Legend(html, Sources);
        html.Append(CultureInfo.InvariantCulture, $"<p>{Count(total, "decision")} in this view.</p>");

        var today = DateOnly.FromDateTime(model.Now.UtcDateTime);
        var byDay = Enumerable.Range(0, model.Days).Select(i => today.AddDays(i - model.Days + 1))
            .Select(day => new SvgCharts.Bar(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), BySource(filtered.Where(a => a.Day == day))))
            .ToList();
        html.Append("<h3>Share of each choice, by day</h3>");
        SvgCharts.Daily(html, encoder, "fpi-by-day", "Share of each choice by day", byDay);

        html.Append("<h3>By region</h3>");
        SvgCharts.Horizontal(html, encoder, "fpi-by-region", "Share of each choice by region", [.. filtered.GroupBy(a => a.Region ?? "unknown", StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new SvgCharts.Bar(g.Key, BySource(g)))], shares: true);

        html.Append("<h3>By policy revision</h3>");
        SvgCharts.Horizontal(html, encoder, "fpi-by-revision", "Share of each choice by policy revision", [.. filtered.GroupBy(a => a.Revision).OrderBy(g => g.Key).Select(g => new SvgCharts.Bar("revision " + g.Key.ToString(CultureInfo.InvariantCulture), BySource(g)))], shares: true);

        html.Append("<h3>By choice</h3><table><thead><tr><th scope=\"col\">Choice</th><th scope=\"col\" class=\"fpi-num\">Decisions</th><th scope=\"col\" class=\"fpi-num\">Share</th></tr></thead><tbody>");
        foreach (var group in filtered.GroupBy(a => a.Source, StringComparer.Ordinal).OrderByDescending(g => g.Sum(a => a.Count)))
        {
            var count = group.Sum(a => (long)a.Count);
            html.Append(CultureInfo.InvariantCulture, $"<tr data-source=\"{encoder.Encode(group.Key)}\"><td>{encoder.Encode(group.Key)}</td><td class=\"fpi-num\">{count}</td><td class=\"fpi-num\">{(total == 0 ? 0 : 100.0 * count / total):0.0}%</td></tr>");
        }

        html.Append("</tbody></table></section>");
    }

    private static void Live(StringBuilder html, HtmlEncoder encoder, InsightsPageModel model)
    {
        var impressions = model.Live.Impressions;
        var decisions = model.Live.Decisions;
        var rescued = model.Live.Rescued;
        html.Append("<section aria-labelledby=\"fpi-live\"><h2 id=\"fpi-live\">Banner and SDK cookies on this instance</h2>")
            .Append(CultureInfo.InvariantCulture, $"<p class=\"fpi-note\">Per instance since start ({encoder.Encode(model.Live.Since.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))}), from this instance's own metrics; a metrics dashboard sums every instance.</p>");

        var regions = impressions.Keys.Concat(decisions.Keys.Select(k => k.Region)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Legend(html, ["impressions", ConsentLayers.First, ConsentLayers.Second, ConsentLayers.None]);
        html.Append("<h3>Banner impressions and decisions, by country</h3>");
        var rows = new List<SvgCharts.Bar>();
        foreach (var region in regions)
        {
            rows.Add(new SvgCharts.Bar(region + " shown", [new("impressions", impressions.GetValueOrDefault(region))]));
            rows.Add(new SvgCharts.Bar(region + " decided", [.. new[] { ConsentLayers.First, ConsentLayers.Second, ConsentLayers.None }.Select(layer => new SvgCharts.Segment(layer, decisions.GetValueOrDefault((region, layer))))]));
        }

        SvgCharts.Horizontal(html, encoder, "fpi-impressions", "Banner impressions and decisions (first layer, second layer, neither) by country", rows, shares: false);
        var shown = impressions.Values.Sum();
        var decided = decisions.Values.Sum();
        html.Append(CultureInfo.InvariantCulture, $"<p>{Count(shown, "banner")} shown, {Count(decided, "decision")} ({decisions.Where(d => d.Key.Layer == ConsentLayers.First).Sum(d => d.Value)} on the first layer, {decisions.Where(d => d.Key.Layer == ConsentLayers.Second).Sum(d => d.Value)} in the preferences).</p>");

        html.Append("<h3>SDK cookies rescued, by provider and browser</h3><p class=\"fpi-note\">Analytics id cookies the browser had purged (Safari and Brave cap cookies that scripts write) and the server wrote again from the visitor it knew.</p>");
        SvgCharts.Horizontal(html, encoder, "fpi-rescued", "SDK cookies rescued by provider and browser", [.. rescued.OrderByDescending(r => r.Value).Select(r => new SvgCharts.Bar(r.Key.Provider + " / " + r.Key.Browser, [new("rescued", r.Value)]))], shares: false);
        html.Append(CultureInfo.InvariantCulture, $"<p>{Count(rescued.Values.Sum(), "cookie")} rescued.</p></section>");
    }

    private static void Requests(StringBuilder html, HtmlEncoder encoder, InsightsPageModel model)
    {
        html.Append("<section aria-labelledby=\"fpi-requests\"><h2 id=\"fpi-requests\">Data subject requests</h2>")
            .Append("<p class=\"fpi-note\">Find a person's consent receipts, export them (ISO/IEC TS 27560 JSON), erase or pseudonymise them. Every search, export and erasure is recorded below.</p>");
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{encoder.Encode(model.BasePath)}/search\" class=\"fpi-search\">");
        Token(html, encoder, model.Tokens);
        html.Append("<label>Id kind<select name=\"kind\">");
        foreach (var kind in (ReadOnlySpan<ReceiptSubjectKind>)[ReceiptSubjectKind.Visitor, ReceiptSubjectKind.User, ReceiptSubjectKind.Consent])
        {
            html.Append(CultureInfo.InvariantCulture, $"<option value=\"{Kind(kind)}\"{(model.Subject?.Kind == kind ? " selected" : string.Empty)}>{Kind(kind)} id</option>");
        }

        html.Append(CultureInfo.InvariantCulture, $"</select></label><label>Id<input name=\"id\" required maxlength=\"256\" autocomplete=\"off\" value=\"{encoder.Encode(model.Subject?.Id ?? string.Empty)}\"></label><button type=\"submit\">Find receipts</button></form>");

        if (model.Subject is not { } subject || model.Receipts is not { } receipts)
        {
            html.Append("</section>");
            return;
        }

        html.Append(CultureInfo.InvariantCulture, $"<h3>{Receipts(receipts.Count)} for this {Kind(subject.Kind)} id</h3>");
        if (receipts.Count > 0)
        {
            html.Append("<table id=\"fpi-receipts\"><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Choice</th><th scope=\"col\">Revision</th><th scope=\"col\">Region</th><th scope=\"col\">Granted</th><th scope=\"col\">Consent id</th></tr></thead><tbody>");
            foreach (var receipt in receipts)
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{receipt.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}</td><td>{encoder.Encode(receipt.Source)}</td><td>{receipt.Revision}</td><td>{encoder.Encode(receipt.Region ?? "")}</td><td>{encoder.Encode(string.Join(", ", receipt.Granted))}</td><td><code>{encoder.Encode(receipt.ConsentId)}</code></td></tr>");
            }

            html.Append("</tbody></table>");
        }

        SubjectForm(html, encoder, model, subject, "export", "Export (JSON)", null, danger: false);
        if (receipts.Count > 0)
        {
            SubjectForm(html, encoder, model, subject, "erase", "Pseudonymise", "pseudonymise", danger: false);
            SubjectForm(html, encoder, model, subject, "erase", "Erase", "delete", danger: true);
        }

        html.Append("</section>");
    }

    private static void Actions(StringBuilder html, HtmlEncoder encoder, InsightsPageModel model)
    {
        html.Append("<section aria-labelledby=\"fpi-actions\"><h2 id=\"fpi-actions\">Staff actions</h2>")
            .Append("<p class=\"fpi-note\">Who did what with whose receipts, newest first. Subjects are kept as a keyed hash of their id, never the id.</p>");
        if (model.StaffActions.Count == 0)
        {
            html.Append("<p>No staff action yet.</p></section>");
            return;
        }

        html.Append("<table id=\"fpi-staff-actions\"><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Who</th><th scope=\"col\">What</th><th scope=\"col\">Subject</th><th scope=\"col\" class=\"fpi-num\">Receipts</th></tr></thead><tbody>");
        foreach (var action in model.StaffActions)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr data-action=\"{encoder.Encode(action.Action)}\"><td>{action.Timestamp.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}</td><td>{encoder.Encode(action.Staff)}</td><td>{encoder.Encode(action.Action)}</td><td>{Kind(action.SubjectKind)} <code>{encoder.Encode(action.SubjectHash[..Math.Min(16, action.SubjectHash.Length)])}</code></td><td class=\"fpi-num\">{action.Count}</td></tr>");
        }

        html.Append("</tbody></table></section>");
    }

    /// <summary>"1 receipt", "3 receipts": the page is in English only, like its other texts.</summary>
    public static string Receipts(long count) => Count(count, "receipt");

    private static string Count(long count, string noun) => string.Create(CultureInfo.InvariantCulture, $"{count} {noun}{(count == 1 ? string.Empty : "s")}");

    public static string Kind(ReceiptSubjectKind kind) => kind switch
    {
        ReceiptSubjectKind.Visitor => "visitor",
        ReceiptSubjectKind.User => "user",
        _ => "consent",
    };

    private static void SubjectForm(StringBuilder html, HtmlEncoder encoder, InsightsPageModel model, ReceiptSubject subject, string action, string label, string? erasure, bool danger)
    {
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"{encoder.Encode(model.BasePath)}/{action}\" class=\"fpi-inline\">");
        Token(html, encoder, model.Tokens);
        html.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"kind\" value=\"{Kind(subject.Kind)}\"><input type=\"hidden\" name=\"id\" value=\"{encoder.Encode(subject.Id)}\">");
        if (erasure is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"erasure\" value=\"{erasure}\">");
        }

        html.Append(CultureInfo.InvariantCulture, $"<button type=\"submit\"{(danger ? " class=\"fpi-danger\"" : string.Empty)} data-action=\"{erasure ?? action}\">{encoder.Encode(label)}</button></form> ");
    }

    private static void Token(StringBuilder html, HtmlEncoder encoder, AntiforgeryTokenSet tokens)
        => html.Append(CultureInfo.InvariantCulture, $"<input type=\"hidden\" name=\"{encoder.Encode(tokens.FormFieldName)}\" value=\"{encoder.Encode(tokens.RequestToken ?? string.Empty)}\">");

    private static void Legend(StringBuilder html, IEnumerable<string> keys)
    {
        html.Append("<ul class=\"fpi-legend\" aria-label=\"Legend\">");
        foreach (var key in keys)
        {
            html.Append(CultureInfo.InvariantCulture, $"<li><span class=\"fpi-swatch fpi-{SvgCharts.Css(key)}\"></span>{key}</li>");
        }

        html.Append("</ul>");
    }

    private static List<SvgCharts.Segment> BySource(IEnumerable<ConsentAggregate> aggregates)
    {
        var counts = aggregates.GroupBy(a => a.Source, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => (long)a.Count), StringComparer.Ordinal);
        return [.. Sources.Select(s => new SvgCharts.Segment(s, counts.GetValueOrDefault(s))), .. counts.Where(c => !Sources.Contains(c.Key)).Select(c => new SvgCharts.Segment(c.Key, c.Value))];
    }
}
