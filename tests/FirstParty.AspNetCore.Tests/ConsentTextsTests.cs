using System.Text.Json;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Category and service texts by UI culture, through <c>HttpContext.GetConsentCategories()</c>.</summary>
public sealed class ConsentTextsTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFirstParty(o =>
        {
            o.Consent.Categories =
            [
                new() { Key = "necessary", Required = true },
                new() { Key = "analytics" },
                new()
                {
                    Key = "marketing",
                    SaleOrSharing = true,
                    Title = "Ads and videos",
                    Description = "Advertising partners.",
                    Translations = { ["fr"] = new ConsentText { Title = "Pubs et vidéos" } },
                    Services =
                    {
                        new()
                        {
                            Key = "youtube",
                            Provider = "Google",
                            Cookies = { new CookieDeclaration { Name = "VISITOR_INFO1_LIVE", Purpose = "Video preferences." } },
                        },
                    },
                },
                new() { Key = "social" },
            ];
        });
        TestApp.UseInMemoryKeyRing(builder.Services, new InMemoryXmlRepository());
        _app = builder.Build();
        _app.UseRequestLocalization(o =>
        {
            string[] cultures = ["en", "fr", "fr-CA", "de"];
            o.SetDefaultCulture("en").AddSupportedCultures(cultures).AddSupportedUICultures(cultures);
        });
        _app.UseFirstParty();
        _app.MapGet("/categories", (HttpContext c) => Results.Json(c.GetConsentCategories()));
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Theory]
    [InlineData("en", "Strictly necessary", "Analytics")]
    [InlineData("fr", "Strictement nécessaires", "Mesure d'audience")]
    [InlineData("fr-CA", "Strictement nécessaires", "Mesure d'audience")]
    [InlineData("de", "Unbedingt erforderlich", "Statistik")]
    public async Task Default_categories_have_built_in_texts_in_the_request_culture(string culture, string necessary, string analytics)
    {
        var categories = await GetAsync(culture);

        Assert.Equal(necessary, Title(categories, "necessary"));
        Assert.Equal(analytics, Title(categories, "analytics"));
        Assert.False(string.IsNullOrEmpty(categories.Single(c => c.GetProperty("key").GetString() == "analytics").GetProperty("description").GetString()));
    }

    [Theory]
    [InlineData("en", "Ads and videos")]
    [InlineData("de", "Ads and videos")]
    [InlineData("fr", "Pubs et vidéos")]
    [InlineData("fr-CA", "Pubs et vidéos")]
    public async Task Configured_texts_and_translations_win_over_the_built_in_ones(string culture, string expected)
    {
        var categories = await GetAsync(culture);

        Assert.Equal(expected, Title(categories, "marketing"));
        Assert.Equal("Advertising partners.", categories.Single(c => c.GetProperty("key").GetString() == "marketing").GetProperty("description").GetString());
    }

    [Fact]
    public async Task A_category_without_any_text_shows_its_key()
    {
        var categories = await GetAsync("fr");

        Assert.Equal("social", Title(categories, "social"));
    }

    [Fact]
    public async Task Categories_carry_their_state_and_services_with_declared_cookies()
    {
        var categories = await GetAsync("en");

        var necessary = categories.Single(c => c.GetProperty("key").GetString() == "necessary");
        var marketing = categories.Single(c => c.GetProperty("key").GetString() == "marketing");
        Assert.True(necessary.GetProperty("required").GetBoolean());
        Assert.True(necessary.GetProperty("granted").GetBoolean());
        Assert.False(marketing.GetProperty("granted").GetBoolean());
        Assert.True(marketing.GetProperty("saleOrSharing").GetBoolean());
        var youtube = Assert.Single(marketing.GetProperty("services").EnumerateArray());
        Assert.Equal("marketing/youtube", youtube.GetProperty("key").GetString());
        Assert.Equal("youtube", youtube.GetProperty("title").GetString());
        Assert.Equal("VISITOR_INFO1_LIVE", Assert.Single(youtube.GetProperty("cookies").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(["necessary", "analytics", "marketing", "social"], categories.Select(c => c.GetProperty("key").GetString()));
    }

    private async Task<List<JsonElement>> GetAsync(string culture)
    {
        var body = await _client.GetStringAsync($"/categories?culture={culture}&ui-culture={culture}");
        return [.. JsonDocument.Parse(body).RootElement.EnumerateArray()];
    }

    private static string? Title(List<JsonElement> categories, string key)
        => categories.Single(c => c.GetProperty("key").GetString() == key).GetProperty("title").GetString();
}
