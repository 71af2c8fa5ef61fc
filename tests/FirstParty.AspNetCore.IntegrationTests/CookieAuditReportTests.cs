using System.Text.Json;
using FirstParty.AspNetCore.Testing;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>The audit report's rules and its JSON and Markdown, on reports built by hand.</summary>
public sealed class CookieAuditReportTests
{
    private static readonly AuditedItem Consent = Cookie("_fp_consent", "necessary", TimeSpan.FromDays(182));
    private static readonly AuditedItem Visitor = Cookie("_fp_id", "analytics", TimeSpan.FromDays(395));

    [Fact]
    public void A_clean_report_passes_every_rule()
    {
        var report = Report(
            State("undecided", decided: false, granted: [], Page("/", reject: true, Consent)),
            State("analytics only", decided: true, granted: ["analytics"], Page("/", reject: null, Consent, Visitor)));

        Assert.Same(report, report.AssertCompliant());
    }

    [Fact]
    public void An_optional_cookie_before_consent_under_opt_in_is_named_with_page_and_state()
    {
        var report = Report(State("undecided", decided: false, granted: [], Page("/menu", reject: true, Consent, Visitor)));

        var error = Assert.Throws<CookieAuditException>(() => report.AssertNothingBeforeConsent());

        Assert.Equal(["cookie '_fp_id' (analytics) is stored before consent on /menu in state undecided"], error.Violations);
    }

    [Fact]
    public void Before_consent_under_opt_out_is_not_judged_but_a_report_without_opt_in_fails_loudly()
    {
        var report = Report(State("undecided", decided: false, granted: ["analytics"], Page("/", reject: true, Visitor), regime: "OptOut"));

        var error = Assert.Throws<CookieAuditException>(() => report.AssertNothingBeforeConsent());

        Assert.Contains("no undecided state under OptIn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Undeclared_storage_is_named_by_kind()
    {
        var key = new AuditedItem { Kind = AuditedItemKind.LocalStorage, Name = "tracker_queue" };
        var report = Report(State("accept-all", decided: true, granted: ["analytics"], Page("/", reject: null, key)));

        var error = Assert.Throws<CookieAuditException>(() => report.AssertAllDeclared());

        Assert.Equal(["localStorage key 'tracker_queue' is not declared, on / in state accept-all"], error.Violations);
    }

    [Fact]
    public void A_refused_category_or_service_left_behind_fails()
    {
        var youtube = new AuditedItem { Kind = AuditedItemKind.SessionStorage, Name = "yt-player", Category = "marketing", ConsentKey = "marketing/youtube", Service = "youtube" };
        var state = State("marketing only", decided: true, granted: ["marketing"], Page("/video", reject: null, Visitor, youtube), services: new Dictionary<string, bool> { ["marketing/youtube"] = false });

        var error = Assert.Throws<CookieAuditException>(() => Report(state).AssertRefusalsHonoured());

        Assert.Equal(
            [
                "cookie '_fp_id' (analytics) is stored on /video in state marketing only, which refuses it",
                "sessionStorage key 'yt-player' (marketing/youtube) is stored on /video in state marketing only, which refuses it",
            ],
            error.Violations);
    }

    [Fact]
    public void Missing_first_layer_reject_and_withdrawal_controls_fail_per_page()
    {
        var report = Report(
            State("undecided", decided: false, granted: [], Page("/", reject: false), Page("/about", reject: true, withdrawal: false)));

        Assert.Equal(["no reject control on the banner's first layer on / in state undecided"], Assert.Throws<CookieAuditException>(() => report.AssertRejectOnFirstLayer()).Violations);
        Assert.Equal(["no preferences or privacy-centre control on /about in state undecided"], Assert.Throws<CookieAuditException>(() => report.AssertWithdrawalReachable()).Violations);
        Assert.Equal(2, Assert.Throws<CookieAuditException>(() => report.AssertCompliant()).Violations.Count);
    }

    [Fact]
    public void The_markdown_has_one_row_per_cookie_with_the_pages_it_was_held_on()
    {
        var report = Report(State("analytics only", decided: true, granted: ["analytics"], Page("/", reject: null, Consent), Page("/menu", reject: null, Consent, Visitor)));

        var markdown = report.ToMarkdown();

        Assert.Contains("## analytics only", markdown, StringComparison.Ordinal);
        Assert.Contains("| cookie | _fp_consent | necessary | firstparty |  | localhost | / | 182 days | yes | no | Lax | all |", markdown, StringComparison.Ordinal);
        Assert.Contains("| cookie | _fp_id | analytics | firstparty |  | localhost | / | 395 days | yes | no | Lax | /menu |", markdown, StringComparison.Ordinal);
        Assert.Contains("| /menu | 200 | n/a | yes |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void The_json_names_every_field_in_camel_case()
    {
        var report = Report(State("undecided", decided: false, granted: [], Page("/", reject: true, Consent)));

        var json = JsonDocument.Parse(report.ToJson()).RootElement;

        var item = json.GetProperty("states")[0].GetProperty("pages")[0].GetProperty("items")[0];
        Assert.Equal("cookie", item.GetProperty("kind").GetString());
        Assert.Equal("_fp_consent", item.GetProperty("name").GetString());
        Assert.Equal("182.00:00:00", item.GetProperty("lifetime").GetString());
        Assert.True(item.GetProperty("declared").GetBoolean());
        Assert.True(json.GetProperty("states")[0].GetProperty("pages")[0].GetProperty("rejectOnFirstLayer").GetBoolean());
    }

    private static AuditedItem Cookie(string name, string category, TimeSpan lifetime) => new()
    {
        Kind = AuditedItemKind.Cookie,
        Name = name,
        Domain = "localhost",
        Path = "/",
        Lifetime = lifetime,
        HttpOnly = true,
        SameSite = "Lax",
        Category = category,
        ConsentKey = category,
        Service = "firstparty",
    };

    private static AuditedPage Page(string path, bool? reject, params AuditedItem[] items) => Page(path, reject, withdrawal: true, items);

    private static AuditedPage Page(string path, bool? reject, bool withdrawal, params AuditedItem[] items)
        => new() { Path = path, Status = 200, RejectOnFirstLayer = reject, WithdrawalReachable = withdrawal, Items = items };

    private static AuditedState State(string name, bool decided, string[] granted, params AuditedPage[] pages) => State(name, decided, granted, pages, "OptIn", null);

    private static AuditedState State(string name, bool decided, string[] granted, AuditedPage page, string? regime = null, Dictionary<string, bool>? services = null)
        => State(name, decided, granted, [page], regime ?? "OptIn", services);

    private static AuditedState State(string name, bool decided, string[] granted, AuditedPage[] pages, string regime, Dictionary<string, bool>? services) => new()
    {
        Name = name,
        Decided = decided,
        Regime = regime,
        Services = services ?? [],
        Categories = new[] { "necessary", "preferences", "analytics", "marketing" }.ToDictionary(c => c, c => c == "necessary" || granted.Contains(c)),
        RequiredCategories = ["necessary"],
        Pages = pages,
    };

    private static CookieAuditReport Report(params AuditedState[] states) => new() { Mode = "http", States = states };
}
