using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// <see cref="ITrackingConsentFeature"/> (what Identity UI and templates check), <see cref="IConsentService"/>
/// and <see cref="FirstPartyEvents.OnConsentChanged"/> all record the same decisions as the endpoints.
/// </summary>
public sealed class TrackingConsentInteropTests : IAsyncLifetime
{
    private readonly List<ConsentChangedContext> _changes = [];
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFirstParty(o =>
        {
            o.Consent.Regime = ConsentRegime.OptIn;
            o.Consent.RegionHeader = "X-Region";
            o.Consent.Regions["US"] = ConsentRegime.OptOut;
            o.Events.OnConsentChanged = change =>
            {
                _changes.Add(change);
                return Task.CompletedTask;
            };
        });
        TestApp.UseInMemoryKeyRing(builder.Services, new InMemoryXmlRepository());
        _app = builder.Build();
        _app.UseFirstParty();
        _app.MapGet("/track", (HttpContext c) => Tracking(c) is { } t ? $"{t.IsConsentNeeded}|{t.HasConsent}|{t.CanTrack}" : "none");
        _app.MapPost("/grant", (HttpContext c) => Tracking(c)!.GrantConsent());
        _app.MapPost("/withdraw", (HttpContext c) => Tracking(c)!.WithdrawConsent());
        _app.MapGet("/consent-cookie", (HttpContext c) => Tracking(c)!.CreateConsentCookie());
        _app.MapPost("/api/analytics-only", async (HttpContext c, IConsentService consent) => (await consent.SetAsync(c, ["analytics"])).Categories["marketing"].ToString());
        _app.MapPost("/api/unknown", async (HttpContext c, IConsentService consent) =>
        {
            var error = await Record.ExceptionAsync(() => consent.SetAsync(c, ["nonsense"]));
            return error?.GetType().Name ?? "none";
        });
        _app.MapPost("/api/withdraw", async (HttpContext c, IConsentService consent) => (await consent.WithdrawAsync(c)).Source);
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Before_a_decision_under_OptIn_consent_is_needed_and_tracking_is_not_allowed()
    {
        Assert.Equal("True|False|False", await GetStringAsync("/track", cookies: null));
    }

    [Fact]
    public async Task Under_OptOut_no_decision_is_needed_and_tracking_is_allowed()
    {
        Assert.Equal("False|False|True", await GetStringAsync("/track", cookies: null, region: "US"));
    }

    [Fact]
    public async Task GrantConsent_records_an_accept_all_decision_and_mints_the_visitor_cookies()
    {
        using var response = await _client.PostAsync("/grant", null);
        var cookies = SetCookies(response);

        Assert.Contains(cookies, c => c.Name == "_fp_consent" && c.MaxAge == TimeSpan.FromDays(395));
        Assert.Contains(cookies, c => c.Name == "_fp_id");
        Assert.Equal("False|True|True", await GetStringAsync("/track", ToCookieHeader(cookies)));
        var receipts = await Ledger.FindAsync(ReceiptSubject.Consent(ConsentId(cookies)));
        Assert.Equal("api", Assert.Single(receipts).Source);
    }

    [Fact]
    public async Task WithdrawConsent_refuses_everything_and_deletes_the_visitor_cookies()
    {
        using var granted = await _client.PostAsync("/grant", null);
        var cookies = SetCookies(granted);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/withdraw");
        request.Headers.Add("Cookie", ToCookieHeader(cookies));
        using var response = await _client.SendAsync(request);
        var after = SetCookies(response);

        Assert.Contains(after, c => c.Name == "_fp_id" && c.MaxAge == TimeSpan.Zero);
        Assert.Contains(after, c => c.Name == "_fp_consent" && c.MaxAge == TimeSpan.FromDays(182));
        Assert.Equal("False|False|False", await GetStringAsync("/track", ToCookieHeader(after.Where(c => c.Name == "_fp_consent"))));
    }

    [Fact]
    public async Task CreateConsentCookie_gives_a_value_the_server_accepts_as_a_decision()
    {
        var cookie = await GetStringAsync("/consent-cookie", cookies: null);

        Assert.Matches("^_fp_consent=3[A-Za-z0-9_-]+;", cookie);
        Assert.DoesNotContain("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("False|True|True", await GetStringAsync("/track", cookie[..cookie.IndexOf(';', StringComparison.Ordinal)]));
    }

    [Fact]
    public async Task IConsentService_grants_the_listed_categories_and_raises_OnConsentChanged_once()
    {
        using var response = await _client.PostAsync("/api/analytics-only", null);

        Assert.Equal("False", await response.Content.ReadAsStringAsync());
        var change = Assert.Single(_changes);
        Assert.Equal("api", change.Source);
        Assert.False(change.Previous["analytics"]);
        Assert.True(change.Current.IsGranted("analytics"));
        Assert.False(change.Current.IsGranted("marketing"));
        Assert.Contains(SetCookies(response), c => c.Name == "_fp_id");
    }

    [Fact]
    public async Task IConsentService_rejects_unknown_categories_and_records_nothing()
    {
        using var response = await _client.PostAsync("/api/unknown", null);

        Assert.Equal(nameof(ArgumentException), await response.Content.ReadAsStringAsync());
        Assert.Empty(SetCookies(response));
        Assert.Empty(_changes);
    }

    [Fact]
    public async Task IConsentService_withdraw_is_recorded_with_its_source()
    {
        using var response = await _client.PostAsync("/api/withdraw", null);

        Assert.Equal("withdraw", await response.Content.ReadAsStringAsync());
        Assert.Equal("withdraw", Assert.Single(_changes).Source);
    }

    private FirstParty.AspNetCore.Ledger.ConsentLedgerWriter Ledger => _app.Services.GetRequiredService<FirstParty.AspNetCore.Ledger.ConsentLedgerWriter>();

    private static ITrackingConsentFeature? Tracking(HttpContext context) => context.Features.Get<ITrackingConsentFeature>();

    private async Task<string> GetStringAsync(string path, string? cookies, string? region = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (cookies is not null)
        {
            request.Headers.Add("Cookie", cookies);
        }

        if (region is not null)
        {
            request.Headers.Add("X-Region", region);
        }

        using var response = await _client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    private static List<(string Name, string Value, TimeSpan? MaxAge)> SetCookies(HttpResponseMessage response)
        => response.Headers.TryGetValues("Set-Cookie", out var values)
            ? [.. SetCookieHeaderValue.ParseStrictList([.. values]).Select(c => (c.Name.ToString(), c.Value.ToString(), c.MaxAge))]
            : [];

    private static string ToCookieHeader(IEnumerable<(string Name, string Value, TimeSpan? MaxAge)> cookies)
        => string.Join("; ", cookies.Where(c => c.MaxAge != TimeSpan.Zero).Select(c => $"{c.Name}={c.Value}"));

    private static string ConsentId(IEnumerable<(string Name, string Value, TimeSpan? MaxAge)> cookies)
        => ConsentIdOf(cookies.Single(c => c.Name == "_fp_consent").Value);

    /// <summary>Format 3: the consent id is the first 16 bytes after the key hint.</summary>
    private static string ConsentIdOf(string value)
        => new Guid(System.Buffers.Text.Base64Url.DecodeFromChars(value.AsSpan(1)).AsSpan(1, 16), bigEndian: true).ToString("D");
}
