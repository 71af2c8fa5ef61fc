using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using RazorPagesSample.Pages;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The Razor Pages sample served by Kestrel on 127.0.0.1 and Debian's Chromium driven by Playwright.
/// Playwright never downloads a browser here: it launches <c>/usr/bin/chromium</c>.
/// </summary>
public class SampleSiteFixture : IAsyncLifetime
{
    /// <summary>
    /// The layout's scripts that wait for analytics: an external and an inline script, and the
    /// Snowplow and Amplitude snippets (an SDK and its init each).
    /// </summary>
    public const int GatedAnalyticsScripts = 6;

    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>Every browser-driven assertion waits this long (Playwright's 5 s is too short with many Chromium fixtures sharing two cores).</summary>
    public const float ExpectTimeoutMilliseconds = 20_000;

    // The host's own ledger; it disposes the host derived from it with ConfigureSite.
    private readonly SampleFactory<IndexModel> _host = new();
    private WebApplicationFactory<IndexModel> _factory = null!;
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>
    /// Where the sample's collector forwards every vendor's events: a local app of this fixture
    /// (the sample's own settings name its stub at localhost:5080, which is not this host).
    /// </summary>
    public UpstreamStub Upstream { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The site's services (its cookie declarations, for the cookie audit).</summary>
    public IServiceProvider Services => _factory.Services;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(ExpectTimeoutMilliseconds);
        Upstream = await UpstreamStub.StartAsync();
        _factory = _host.WithWebHostBuilder(builder =>
        {
            foreach (var vendor in UpstreamStub.Vendors)
            {
                builder.UseSetting($"FirstParty:Collector:{SettingsSection(vendor)}:Upstream", Upstream.UpstreamOf(vendor));
            }

            ConfigureSite(builder);
        });
        _factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        _factory.StartServer();
        var addresses = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());

        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: run scripts/test.sh, which installs Debian's chromium package.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    private static string SettingsSection(string vendor) => vendor switch
    {
        "snowplow" => "Snowplow",
        "amplitude" => "Amplitude",
        "ga4" => "GoogleAnalytics",
        _ => "Plausible",
    };

    /// <summary>Settings a variant of the sample needs (none for the sample as shipped).</summary>
    protected virtual void ConfigureSite(IWebHostBuilder builder)
    {
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await _host.DisposeAsync();
        if (Upstream is not null)
        {
            await Upstream.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }
}
