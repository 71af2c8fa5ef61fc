using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary><c>GET /_fp/consent/receipts</c> and what <c>POST /_fp/forget</c> does to the ledger.</summary>
public sealed class ReceiptsEndpointTests
{
    private const string ReceiptsPath = "/_fp/consent/receipts";
    private const string ClientIp = "203.0.113.77";
    private const string Culture = "fr-FR";

    private static readonly Regex Sha256Hex = new("^[0-9a-f]{64}$", RegexOptions.CultureInvariant);

    [Fact]
    public async Task The_history_has_one_record_for_this_browsers_decision()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        var state = (await app.PostFormAsync(
            jar,
            [new("choice", "accept-all"), new("returnUrl", "/page?email=someone%40example.com#top")],
            json: true,
            configure: r => r.Headers.TryAddWithoutValidation("User-Agent", "TestBrowser/1.0"))).Json();
        var consentId = state.GetProperty("consentId").GetString()!;
        var visitorId = state.GetProperty("visitor").GetProperty("id").GetString();

        var response = await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, jar);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Equal("application/json", response.ContentType);
        Assert.Null(response.Header("Content-Disposition"));
        Assert.Empty(response.RawSetCookies);

        var document = response.Json();
        Assert.Equal("ISO/IEC TS 27560:2023", document.GetProperty("schemaVersion").GetString());
        Assert.Equal("consent", document.GetProperty("subject").GetProperty("kind").GetString());
        Assert.Equal(consentId, document.GetProperty("subject").GetProperty("id").GetString());

        var record = Assert.Single(document.GetProperty("records").EnumerateArray());
        Assert.Equal(consentId, record.GetProperty("consentId").GetString());
        Assert.Equal(visitorId, record.GetProperty("visitorId").GetString());
        Assert.Equal(JsonValueKind.Null, record.GetProperty("userId").ValueKind);
        Assert.Equal("given", record.GetProperty("event").GetString());
        Assert.Equal("accept-all", record.GetProperty("collectionMethod").GetString());
        Assert.Equal(app.Time.GetUtcNow(), record.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("OptIn", record.GetProperty("regime").GetString());
        Assert.Equal(
            AllCategories.Select(c => (c, "granted")),
            record.GetProperty("purposes").EnumerateArray().Select(p => (p.GetProperty("purpose").GetString()!, p.GetProperty("status").GetString()!)));

        var notice = record.GetProperty("notice");
        Assert.Equal(1, notice.GetProperty("revision").GetInt32());
        Assert.Equal(Culture, notice.GetProperty("language").GetString());
        var hash = notice.GetProperty("sha256").GetString();
        Assert.Matches(Sha256Hex, hash);
        Assert.Equal(app.Services.GetRequiredService<NoticeFingerprint>().For(CultureInfo.GetCultureInfo(Culture)), hash);

        var context = record.GetProperty("context");
        Assert.Equal("/page", context.GetProperty("pagePath").GetString());
        Assert.Equal("TestBrowser/1.0", context.GetProperty("userAgent").GetString());
        Assert.Equal("203.0.113.0", context.GetProperty("ipAddress").GetString());
        Assert.DoesNotContain("someone", response.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(ClientIp, response.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_history_lists_every_decision_of_this_browser_only()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.ChooseAsync(jar, "reject-all");
        var otherBrowser = new CookieJar();
        await app.ChooseAsync(otherBrowser, "accept-all");

        var records = (await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, jar)).Json().GetProperty("records").EnumerateArray().ToList();

        Assert.Equal(["given", "refused"], records.Select(r => r.GetProperty("event").GetString()));
        Assert.Single(records.Select(r => r.GetProperty("consentId").GetString()).Distinct());
        Assert.Single((await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, otherBrowser)).Json().GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task Download_asks_the_browser_to_save_the_history()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var response = await app.SendRawAsync(HttpMethod.Get, ReceiptsPath + "?download", jar);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        var disposition = response.Header("Content-Disposition");
        Assert.NotNull(disposition);
        Assert.StartsWith("attachment", disposition, StringComparison.Ordinal);
        Assert.Contains("consent-history.json", disposition, StringComparison.Ordinal);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.Single(response.Json().GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task A_browser_without_a_consent_cookie_gets_an_empty_history()
    {
        await using var app = await StartAsync();
        await app.ChooseAsync(new CookieJar(), "accept-all");

        var response = await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, new CookieJar());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        var document = response.Json();
        Assert.Equal("ISO/IEC TS 27560:2023", document.GetProperty("schemaVersion").GetString());
        Assert.Equal(JsonValueKind.Null, document.GetProperty("subject").ValueKind);
        Assert.Empty(document.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task The_user_agent_is_truncated_to_the_configured_length()
    {
        await using var app = await StartAsync(o => o.Configuration["FirstParty:Ledger:UserAgentMaxLength"] = "10");
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all", configure: r => r.Headers.TryAddWithoutValidation("User-Agent", "ABCDEFGHIJKLMNOP"));

        var record = Assert.Single((await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, jar)).Json().GetProperty("records").EnumerateArray());

        Assert.Equal("ABCDEFGHIJ", record.GetProperty("context").GetProperty("userAgent").GetString());
    }

    [Fact]
    public async Task Forget_deletes_this_browsers_receipts_from_the_store()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        var consentId = (await app.ChooseAsync(jar, "accept-all", json: true)).Json().GetProperty("consentId").GetString()!;
        var bystander = new CookieJar();
        var bystanderId = (await app.ChooseAsync(bystander, "accept-all", json: true)).Json().GetProperty("consentId").GetString()!;
        var store = app.Services.GetRequiredService<IConsentLedger>();
        var writer = app.Services.GetRequiredService<ConsentLedgerWriter>();
        await Poll.UntilAsync(async () => (await store.FindAsync(ReceiptSubject.Consent(consentId))).Count == 1, "the receipt reaches the store");

        var response = await app.PostFormAsync(jar, [], path: ForgetPath);

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        await Poll.UntilAsync(async () => (await writer.FindAsync(ReceiptSubject.Consent(consentId))).Count == 0, "the receipts are erased");
        await Poll.UntilAsync(async () => (await store.FindAsync(ReceiptSubject.Consent(consentId))).Count == 0, "the store erased them");
        Assert.Single(await writer.FindAsync(ReceiptSubject.Consent(bystanderId)));
        Assert.Empty((await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, jar)).Json().GetProperty("records").EnumerateArray());

        // Deleted, not kept: only the bystander's receipt is left.
        await Poll.UntilAsync(() => writer.QueueDepth == 0 && writer.SpilledCount == 0, "the writer is idle");
        Assert.Equal(1, await store.PurgeAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task Forget_with_pseudonymise_keeps_the_receipts_under_another_consent_id()
    {
        await using var app = await StartAsync(o => o.Configuration["FirstParty:Ledger:ForgetErasure"] = "Pseudonymise");
        var jar = new CookieJar();
        var state = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();
        var consentId = state.GetProperty("consentId").GetString()!;
        var visitorId = state.GetProperty("visitor").GetProperty("id").GetString()!;
        app.Time.Advance(TimeSpan.FromMinutes(1));
        await app.ChooseAsync(jar, "custom", categories: ["analytics"]);
        var store = Assert.IsType<InMemoryConsentLedger>(app.Services.GetRequiredService<IConsentLedger>());
        var writer = app.Services.GetRequiredService<ConsentLedgerWriter>();
        await Poll.UntilAsync(async () => (await store.FindAsync(ReceiptSubject.Consent(consentId))).Count == 2, "the receipts reach the store");

        var response = await app.PostFormAsync(jar, [], path: ForgetPath);

        Assert.Equal(HttpStatusCode.SeeOther, response.Status);
        await Poll.UntilAsync(async () => (await store.FindAsync(ReceiptSubject.Consent(consentId))).Count == 0, "the store erased them");
        await Poll.UntilAsync(() => writer.QueueDepth == 0 && writer.SpilledCount == 0, "the writer is idle");
        Assert.Empty(await store.FindAsync(ReceiptSubject.Visitor(visitorId)));
        Assert.Empty(await writer.FindAsync(ReceiptSubject.Consent(consentId)));

        // Both receipts are still there, under a consent id no one holds.
        Assert.Equal(2, await store.PurgeAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task Forget_reaches_the_store_once_per_id_with_the_configured_erasure()
    {
        var store = new FakeConsentLedger();
        await using var app = await StartAsync(o =>
        {
            o.Configuration["FirstParty:Ledger:ForgetErasure"] = "Pseudonymise";
            AddServices(o, services => services.AddSingleton<IConsentLedger>(store));
        });
        var jar = new CookieJar();
        var state = (await app.ChooseAsync(jar, "accept-all", json: true)).Json();
        var consentId = state.GetProperty("consentId").GetString()!;
        var visitorId = state.GetProperty("visitor").GetProperty("id").GetString()!;

        await app.PostFormAsync(jar, [], path: ForgetPath);
        await Poll.UntilAsync(() => store.Erasures.Count == 2, "both erasures reach the store");

        var erasures = store.Erasures;
        Assert.Equal([ReceiptSubject.Consent(consentId), ReceiptSubject.Visitor(visitorId)], erasures.Select(e => e.Subject!.Value));
        Assert.All(erasures, e => Assert.Equal(ReceiptErasure.Pseudonymise, e.Erasure));
        var kept = Assert.Single(store.Stored);
        Assert.NotEqual(consentId, kept.ConsentId);
        Assert.Null(kept.VisitorId);
        Assert.Null(kept.IpAddress);
        Assert.Null(kept.PagePath);
    }

    [Fact]
    public async Task A_store_that_cannot_be_read_gives_503()
    {
        var store = new FakeConsentLedger();
        await using var app = await StartAsync(o => AddServices(o, services => services.AddSingleton<IConsentLedger>(store)));
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");
        await Poll.UntilAsync(() => store.Stored.Count == 1, "the receipt reaches the store");
        store.Failing = true;

        var response = await app.SendRawAsync(HttpMethod.Get, ReceiptsPath, jar);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        store.Failing = false;
    }

    private static Task<TestApp> StartAsync(Action<TestAppOptions>? configure = null)
        => StartConsentAppAsync(configure: o =>
        {
            AddServices(o, services => services.AddSingleton<IStartupFilter, ClientStartupFilter>());
            configure?.Invoke(o);
        });

    private static void AddServices(TestAppOptions options, Action<IServiceCollection> add)
    {
        var previous = options.ConfigureServices;
        options.ConfigureServices = services =>
        {
            previous?.Invoke(services);
            add(services);
        };
    }

    /// <summary>Every request comes from <see cref="ClientIp"/> with a French UI culture, as a localized app behind a proxy would see it.</summary>
    private sealed class ClientStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(ClientIp);
                CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(Culture);
                CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(Culture);
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
