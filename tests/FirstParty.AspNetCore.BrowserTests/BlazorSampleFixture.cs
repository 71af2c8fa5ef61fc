using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>
/// The Blazor Web App sample (static SSR, InteractiveServer and InteractiveWebAssembly pages, the real
/// blazor.web.js) served by Kestrel on 127.0.0.1, with a session timeout of a few seconds so a test
/// can wait one out, and Debian's Chromium driven by Playwright.
/// </summary>
public sealed class BlazorSampleFixture : IAsyncLifetime
{
    /// <summary>The session timeout the sample runs with here (FirstParty:Session:Timeout).</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(12);

    private readonly SampleFactory<BlazorSample.Components.App> _host = new();
    private IPlaywright? _playwright;

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The site's services (its cookie declarations, for the cookie audit).</summary>
    public IServiceProvider Services { get; private set; } = null!;

    public string Url(string path) => new Uri(BaseAddress, path).ToString();

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(SampleSiteFixture.ExpectTimeoutMilliseconds);
        var factory = _host.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("FirstParty:Session:Timeout", SessionTimeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture));

            // The session cookie is rewritten on a navigation once a second has passed, so it slides.
            builder.UseSetting("FirstParty:Session:RefreshInterval", "00:00:01");
        });
        factory.UseKestrel(options => options.Listen(System.Net.IPAddress.Loopback, 0));
        factory.StartServer();
        Services = factory.Services;
        var addresses = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!;
        BaseAddress = new Uri(addresses.Addresses.First());

        if (!File.Exists(SampleSiteFixture.ChromiumPath))
        {
            throw new InvalidOperationException($"{SampleSiteFixture.ChromiumPath} is missing: run scripts/test.sh, which installs Debian's chromium package.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = SampleSiteFixture.ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic",
            ],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await _host.DisposeAsync();
    }
}
