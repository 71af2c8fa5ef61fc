using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Insights;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Tests.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Insights;

/// <summary>The staff insights page's parts: the ledger's aggregates and action log, the live counters, startup checks, the charts.</summary>
public sealed class InsightsTests
{
    private static readonly DateTimeOffset Day1 = new(2026, 3, 14, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_in_memory_ledger_counts_receipts_by_day_region_revision_and_source_within_the_window()
    {
        var ledger = new InMemoryConsentLedger();
        await ledger.AppendAsync(
        [
            TestReceipts.Create("a", Day1) with { Region = "DE" },
            TestReceipts.Create("b", Day1.AddHours(3)) with { Region = "DE" },
            TestReceipts.Create("c", Day1.AddHours(4), source: "reject-all") with { Region = "DE" },
            TestReceipts.Create("d", Day1.AddHours(5)) with { Region = "DE", Revision = 2 },
            TestReceipts.Create("e", Day1.AddDays(1)) with { Region = null },
            TestReceipts.Create("f", Day1.AddDays(-1)),
            TestReceipts.Create("g", Day1.AddDays(2)),
        ]);

        var aggregates = await ledger.AggregateAsync(new DateTimeOffset(2026, 3, 14, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 16, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(
        [
            new ConsentAggregate(new DateOnly(2026, 3, 14), "DE", 1, "accept-all", 2),
            new ConsentAggregate(new DateOnly(2026, 3, 14), "DE", 1, "reject-all", 1),
            new ConsentAggregate(new DateOnly(2026, 3, 14), "DE", 2, "accept-all", 1),
            new ConsentAggregate(new DateOnly(2026, 3, 15), null, 1, "accept-all", 1),
        ],
        aggregates);
    }

    [Fact]
    public async Task The_in_memory_ledger_lists_staff_actions_newest_first_up_to_the_limit()
    {
        var ledger = new InMemoryConsentLedger();
        for (var i = 0; i < 5; i++)
        {
            await ledger.AppendStaffActionAsync(new StaffAction { Timestamp = Day1.AddMinutes(i), Staff = "dana", Action = "search", SubjectKind = ReceiptSubjectKind.Visitor, SubjectHash = "h" + i, Count = i });
        }

        var actions = await ledger.StaffActionsAsync(3);

        Assert.Equal(["h4", "h3", "h2"], actions.Select(a => a.SubjectHash));
    }

    [Fact]
    public void The_subject_hash_is_keyed_stable_and_never_the_id()
    {
        var key = new string('k', 40);
        var hasher = Hasher(key);

        var hash = hasher.Hash(ReceiptSubject.Visitor("visitor-123"));

        Assert.Matches("^[0-9a-f]{64}$", hash);
        Assert.DoesNotContain("visitor-123", hash, StringComparison.Ordinal);
        Assert.Equal(hash, Hasher(key).Hash(ReceiptSubject.Visitor("visitor-123")));
        Assert.NotEqual(hash, Hasher(new string('x', 40)).Hash(ReceiptSubject.Visitor("visitor-123")));
        Assert.NotEqual(hash, hasher.Hash(ReceiptSubject.User("visitor-123")));
    }

    [Fact]
    public void The_live_counters_sum_this_apps_instruments_and_ignore_another_apps()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var other = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var live = new InsightsMeterAggregate(factory, TimeProvider.System);
        var metrics = new FirstPartyMetrics(factory);
        var otherMetrics = new FirstPartyMetrics(other.GetRequiredService<IMeterFactory>());
        var safari = new DefaultHttpContext();
        safari.Request.Headers.UserAgent = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

        metrics.BannerShown("bar", "DE", 1, System.Globalization.CultureInfo.InvariantCulture);
        metrics.BannerShown("box", "DE-BY", 1, System.Globalization.CultureInfo.InvariantCulture);
        metrics.BannerShown("bar", null, 1, System.Globalization.CultureInfo.InvariantCulture);
        metrics.ConsentDecided("accept-all", "OptIn", false, "DE", 1, "first");
        metrics.ConsentDecided("custom", "OptIn", false, "DE", 1, "second");
        metrics.ConsentDecided("custom", "OptIn", false, "DE", 1, "second");
        metrics.CookieRescued("snowplow", safari.Request);
        otherMetrics.BannerShown("bar", "DE", 1, System.Globalization.CultureInfo.InvariantCulture);
        otherMetrics.CookieRescued("snowplow", safari.Request);

        Assert.Equal(2, live.Impressions["DE"]);
        Assert.Equal(1, live.Impressions["unknown"]);
        Assert.Equal(1, live.Decisions[("DE", "first")]);
        Assert.Equal(2, live.Decisions[("DE", "second")]);
        Assert.Equal(1, Assert.Single(live.Rescued).Value);
        Assert.Equal(("snowplow", "safari"), live.Rescued.Single().Key);
    }

    [Fact]
    public void Mapping_the_page_without_a_policy_fails_naming_the_argument()
    {
        var app = App(auth: true);

        var error = Assert.Throws<ArgumentException>(() => app.MapFirstPartyInsights(policy: " "));

        Assert.Equal("policy", error.ParamName);
        Assert.Contains("authorization policy (argument 'policy')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_the_page_with_an_unknown_policy_fails_naming_it()
    {
        var app = App(auth: true);

        var error = Assert.Throws<ArgumentException>(() => app.MapFirstPartyInsights("Staf"));

        Assert.Contains("no authorization policy named 'Staf'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_the_page_without_authorization_fails()
    {
        var app = App(auth: false);

        var error = Assert.Throws<InvalidOperationException>(() => app.MapFirstPartyInsights("Staff"));

        Assert.Contains("AddAuthorization", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Mapping_the_page_with_a_registered_policy_requires_it_on_every_endpoint()
    {
        var app = App(auth: true);

        app.MapFirstPartyInsights("Staff");

        var endpoints = ((Microsoft.AspNetCore.Routing.IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).Where(e => e.DisplayName?.Contains("insights", StringComparison.OrdinalIgnoreCase) == true || (e as Microsoft.AspNetCore.Routing.RouteEndpoint)?.RoutePattern.RawText?.StartsWith("/_fp/insights", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(5, endpoints.Count);
        Assert.All(endpoints, e => Assert.Contains(e.Metadata.GetOrderedMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>(), a => a.Policy == "Staff"));
    }

    [Fact]
    public void The_page_draws_its_charts_as_inline_svg_without_inline_style_or_script()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var live = new InsightsMeterAggregate(services.GetRequiredService<IMeterFactory>(), TimeProvider.System);
        var now = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero);
        var model = new InsightsPageModel
        {
            BasePath = "/_fp/insights",
            Tokens = new Microsoft.AspNetCore.Antiforgery.AntiforgeryTokenSet("request", "cookie", "__RequestVerificationToken", "RequestVerificationToken"),
            Now = now,
            Days = 7,
            Aggregates =
            [
                new ConsentAggregate(new DateOnly(2026, 3, 14), "DE", 1, "accept-all", 3),
                new ConsentAggregate(new DateOnly(2026, 3, 14), "DE", 1, "reject-all", 1),
                new ConsentAggregate(new DateOnly(2026, 3, 15), "FR", 2, "custom", 2),
            ],
            Live = live,
            StaffActions = [],
        };

        var html = InsightsPage.Render(model, System.Text.Encodings.Web.HtmlEncoder.Default);

        Assert.Equal(5, Regex.Count(html, "<svg class=\"fpi-chart\""));
        Assert.Matches("<rect class=\"fpi-bar fpi-accept-all\"[^>]*height=\"120\"><title>2026-03-14, accept-all: 3 of 4 \\(75%\\)</title>", html);
        Assert.Contains("<title>FR, custom: 2 (100%)</title>", html, StringComparison.Ordinal);
        Assert.Contains("6 decisions in this view.", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(1, "1 decision in this view.", "1 banner shown, 0 decisions", "0 cookies rescued.")]
    [InlineData(2, "2 decisions in this view.", "2 banners shown, 0 decisions", "0 cookies rescued.")]
    public void Counts_are_written_in_the_singular_for_one(int count, string decisions, string banners, string rescued)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        using var live = new InsightsMeterAggregate(factory, TimeProvider.System);
        var metrics = new FirstPartyMetrics(factory);
        for (var i = 0; i < count; i++)
        {
            metrics.BannerShown("Bar", null, 1, System.Globalization.CultureInfo.GetCultureInfo("en"));
        }

        var html = InsightsPage.Render(
            new InsightsPageModel
            {
                BasePath = "/_fp/insights",
                Tokens = new Microsoft.AspNetCore.Antiforgery.AntiforgeryTokenSet("request", "cookie", "__RequestVerificationToken", "RequestVerificationToken"),
                Now = new DateTimeOffset(2026, 3, 15, 12, 0, 0, TimeSpan.Zero),
                Days = 7,
                Aggregates = [new ConsentAggregate(new DateOnly(2026, 3, 15), "DE", 1, "accept-all", count)],
                Live = live,
                StaffActions = [],
            },
            System.Text.Encodings.Web.HtmlEncoder.Default);

        Assert.Contains(decisions, html, StringComparison.Ordinal);
        Assert.Contains(banners, html, StringComparison.Ordinal);
        Assert.Contains(rescued, html, StringComparison.Ordinal);
        Assert.Equal(count == 1 ? "1 receipt" : "2 receipts", InsightsPage.Receipts(count));
    }

    private static SubjectHasher Hasher(string key)
        => new(Options.Create(new FirstPartyOptions { Ledger = { StaffActionKey = key } }), NullLogger<SubjectHasher>.Instance);

    private static WebApplication App(bool auth)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddFirstParty();
        if (auth)
        {
            builder.Services.AddAuthorization(o => o.AddPolicy("Staff", p => p.RequireAuthenticatedUser()));
        }

        return builder.Build();
    }
}
