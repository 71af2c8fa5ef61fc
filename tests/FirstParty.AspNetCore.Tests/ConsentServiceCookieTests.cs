using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// <see cref="IConsentService.CreateCookie"/> and <see cref="IConsentService.CategoryKeys"/>: the
/// public API the Testing package builds its consent cookies on.
/// </summary>
public sealed class ConsentServiceCookieTests
{
    [Theory]
    [InlineData(new[] { "analytics" }, "custom")]
    [InlineData(new[] { "preferences", "marketing" }, "custom")]
    [InlineData(new[] { "necessary", "preferences", "analytics", "marketing" }, "custom")]
    [InlineData(new string[0], "reject-all")]
    public async Task The_cookie_is_a_current_decision_granting_exactly_the_listed_categories(string[] granted, string source)
    {
        await using var app = await StartConsentAppAsync();
        var jar = JarWith(app.Services.GetRequiredService<IConsentService>().CreateCookie(granted));

        var response = await app.GetStateAsync(jar);
        var state = response.Json();

        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.Equal(source, state.GetProperty("source").GetString());
        Assert.Equal(TestAppOptions.DefaultStart, state.GetProperty("decidedAt").GetDateTimeOffset());
        Assert.Equal(
            AllCategories.ToDictionary(c => c, c => c == "necessary" || granted.Contains(c)),
            state.Categories());
        Assert.Empty(response.Named(ConsentCookie));
        Assert.True((await app.ProbeAsync(jar)).Consent.GetProperty("decided").GetBoolean());
    }

    [Fact]
    public async Task Each_cookie_is_a_new_decision_and_writes_nothing_to_the_ledger()
    {
        await using var app = await StartConsentAppAsync();
        var consent = app.Services.GetRequiredService<IConsentService>();

        var first = (await app.GetStateAsync(JarWith(consent.CreateCookie(["analytics"])))).Json().GetProperty("consentId").GetString();
        var second = (await app.GetStateAsync(JarWith(consent.CreateCookie(["analytics"])))).Json().GetProperty("consentId").GetString();

        Assert.NotNull(first);
        Assert.NotEqual(first, second);
        Assert.Empty(await app.Services.GetRequiredService<FirstParty.AspNetCore.Ledger.ConsentLedgerWriter>().FindAsync(ReceiptSubject.Consent(first)));
    }

    [Fact]
    public async Task The_cookie_is_dated_by_the_apps_clock_and_expires_with_the_accept_lifetime()
    {
        await using var app = await StartConsentAppAsync();
        app.Time.Advance(TimeSpan.FromDays(3));
        var jar = JarWith(app.Services.GetRequiredService<IConsentService>().CreateCookie(["analytics"]));

        var state = (await app.GetStateAsync(jar)).Json();
        app.Time.Advance(TimeSpan.FromDays(395));
        var expired = (await app.GetStateAsync(jar)).Json();

        Assert.Equal(TestAppOptions.DefaultStart.AddDays(3), state.GetProperty("decidedAt").GetDateTimeOffset());
        Assert.Equal(TestAppOptions.DefaultStart.AddDays(3 + 395), state.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.False(expired.GetProperty("decided").GetBoolean());
    }

    [Fact]
    public async Task A_service_can_be_granted_without_its_category()
    {
        await using var app = await StartConsentAppAsync(configure: ConfigureServiceCategories);
        var jar = JarWith(app.Services.GetRequiredService<IConsentService>().CreateCookie(["marketing/youtube"]));

        var state = (await app.GetStateAsync(jar)).Json();

        Assert.True(state.GetProperty("decided").GetBoolean());
        Assert.False(state.Categories()["marketing"]);
        var services = state.GetProperty("services");
        Assert.True(services.GetProperty("marketing/youtube").GetBoolean());
        Assert.False(services.GetProperty("marketing/vimeo").GetBoolean());
    }

    [Theory]
    [InlineData("ads")]
    [InlineData("marketing/dailymotion")]
    [InlineData("Analytics")]
    public async Task An_unknown_category_is_refused_naming_it_and_the_configured_ones(string unknown)
    {
        await using var app = await StartConsentAppAsync(configure: ConfigureServiceCategories);
        var consent = app.Services.GetRequiredService<IConsentService>();

        var error = Assert.Throws<ArgumentException>(() => consent.CreateCookie(["analytics", unknown]));

        Assert.Equal("grantedCategories", error.ParamName);
        Assert.Contains($"'{unknown}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("necessary, analytics, marketing", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_null_list_is_refused()
    {
        await using var app = await StartConsentAppAsync();

        Assert.Throws<ArgumentNullException>(() => app.Services.GetRequiredService<IConsentService>().CreateCookie(null!));
    }

    [Fact]
    public async Task CategoryKeys_are_the_defaults_when_none_are_configured()
    {
        await using var app = await StartConsentAppAsync();

        Assert.Equal(AllCategories, app.Services.GetRequiredService<IConsentService>().CategoryKeys);
    }

    [Fact]
    public async Task CategoryKeys_are_the_configured_categories_in_order_without_services()
    {
        await using var app = await StartConsentAppAsync(configure: ConfigureServiceCategories);

        Assert.Equal(["necessary", "analytics", "marketing"], app.Services.GetRequiredService<IConsentService>().CategoryKeys);
    }

    private static CookieJar JarWith(string cookie)
    {
        var equals = cookie.IndexOf('=', StringComparison.Ordinal);
        Assert.Equal(ConsentCookie, cookie[..equals]);
        return new CookieJar { [ConsentCookie] = cookie[(equals + 1)..] };
    }

    private static void ConfigureServiceCategories(TestAppOptions o)
    {
        o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
        o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
        o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
        o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
        o.Configuration["FirstParty:Consent:Categories:2:Services:0:Key"] = "youtube";
        o.Configuration["FirstParty:Consent:Categories:2:Services:1:Key"] = "vimeo";
    }
}
