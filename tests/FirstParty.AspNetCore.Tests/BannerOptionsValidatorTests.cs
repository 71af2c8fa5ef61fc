using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Startup validation of <c>FirstParty:Banner</c> and <c>FirstParty:ConsentMode</c>.</summary>
public sealed class BannerOptionsValidatorTests
{
    [Fact]
    public async Task A_full_banner_and_consent_mode_configuration_starts_and_is_bound()
    {
        using var host = OptionsHost.Build(new Dictionary<string, string?>
        {
            ["FirstParty:Banner:Layout"] = "Dialog",
            ["FirstParty:Banner:PolicyUrl"] = "https://example.com/privacy",
            ["FirstParty:Banner:PreferencesUrl"] = "/privacy#cookies",
            ["FirstParty:Banner:IncludeAssets"] = "false",
            ["FirstParty:Banner:Texts:Title"] = "Cookies here",
            ["FirstParty:Banner:Translations:fr:Title"] = "Les cookies",
            ["FirstParty:Banner:Translations:de-CH:AcceptAll"] = "Alli akzeptiere",
            ["FirstParty:ConsentMode:Signals:analytics_storage"] = "marketing",
            ["FirstParty:ConsentMode:WaitForUpdate"] = "1000",
            ["FirstParty:ConsentMode:UrlPassthrough"] = "true",
            ["FirstParty:ConsentMode:DataLayerName"] = "siteLayer",
        });

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value;

        Assert.Equal(ConsentBannerLayout.Dialog, options.Banner.Layout);
        Assert.False(options.Banner.IncludeAssets);
        Assert.Equal("Cookies here", options.Banner.Texts["Title"]);
        Assert.Equal("Les cookies", options.Banner.Translations["fr"]["Title"]);
        Assert.Equal("Alli akzeptiere", options.Banner.Translations["de-CH"]["AcceptAll"]);
        Assert.Equal("marketing", options.ConsentMode.Signals["analytics_storage"]);
        Assert.Equal("marketing", options.ConsentMode.Signals["ad_storage"]);
        Assert.Equal(1000, options.ConsentMode.WaitForUpdate);
        Assert.True(options.ConsentMode.UrlPassthrough);
        await host.StopAsync();
    }

    [Theory]
    [InlineData("FirstParty:Banner:PolicyUrl", "//evil.example/privacy", "FirstParty:Banner:PolicyUrl")]
    [InlineData("FirstParty:Banner:PolicyUrl", "http://example.com/privacy", "FirstParty:Banner:PolicyUrl")]
    [InlineData("FirstParty:Banner:PolicyUrl", "javascript:alert(1)", "FirstParty:Banner:PolicyUrl")]
    [InlineData("FirstParty:Banner:PreferencesUrl", "https://example.com/prefs", "FirstParty:Banner:PreferencesUrl")]
    [InlineData("FirstParty:Banner:Texts:Titel", "Typo", "FirstParty:Banner:Texts:Titel")]
    [InlineData("FirstParty:Banner:Translations:fr:Titre", "Typo", "FirstParty:Banner:Translations:fr:Titre")]
    [InlineData("FirstParty:Banner:Translations:xx-notaculture:Title", "T", "FirstParty:Banner:Translations:xx-notaculture")]
    [InlineData("FirstParty:ConsentMode:Signals:analytics_storage", "statistics", "FirstParty:ConsentMode:Signals:analytics_storage")]
    [InlineData("FirstParty:ConsentMode:Signals:ad_storage", "marketing/youtube", "FirstParty:ConsentMode:Signals:ad_storage")]
    [InlineData("FirstParty:ConsentMode:Signals:Ad-Storage", "marketing", "FirstParty:ConsentMode:Signals:Ad-Storage")]
    [InlineData("FirstParty:ConsentMode:WaitForUpdate", "-1", "FirstParty:ConsentMode:WaitForUpdate")]
    [InlineData("FirstParty:ConsentMode:WaitForUpdate", "600000", "FirstParty:ConsentMode:WaitForUpdate")]
    [InlineData("FirstParty:ConsentMode:DataLayerName", "data-layer", "FirstParty:ConsentMode:DataLayerName")]
    [InlineData("FirstParty:ConsentMode:DataLayerName", "1layer", "FirstParty:ConsentMode:DataLayerName")]
    public async Task A_bad_value_fails_at_startup_naming_the_option(string key, string value, string named)
    {
        var failure = await OptionsHost.AssertStartFailsAsync((key, value));

        Assert.Contains(named, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_signals_may_name_categories_the_site_does_not_have()
    {
        using var host = OptionsHost.Build(new Dictionary<string, string?>
        {
            ["FirstParty:Consent:Categories:0:Key"] = "necessary",
            ["FirstParty:Consent:Categories:0:Required"] = "true",
            ["FirstParty:Consent:Categories:1:Key"] = "analytics",
        });

        await host.StartAsync();
        await host.StopAsync();
    }
}
