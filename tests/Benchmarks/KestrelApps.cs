using System.Globalization;
using System.Net;
using System.Text;
using FirstParty.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Benchmarks;

/// <summary>
/// <c>dotnet tests/Benchmarks/bin/Release/net10.0/Benchmarks.dll kestrel &lt;variant&gt; &lt;port&gt;</c>:
/// one page behind one cookie variant on Kestrel, bound to 127.0.0.1 only, in the Production
/// environment with logging at Warning, until the process is stopped. scripts/bench-kestrel.sh
/// drives these servers with wrk; every variant serves the same page as <c>bare</c>, so the
/// difference in requests per second is what the variant's cookie handling costs.
/// </summary>
internal static class KestrelApps
{
    /// <summary>The variants, in the order the script's table lists them.</summary>
    public static readonly string[] Variants = ["bare", "handwritten", "cookiepolicy", "firstparty", "profiles"];

    // A small page, the same bytes for every variant: the benchmark measures the cookies, not the page.
    private static readonly byte[] Page = Encoding.UTF8.GetBytes(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Home</title></head>"
        + "<body><h1>Welcome</h1><p>A small page for the Kestrel load benchmark.</p></body></html>");

    // What a site author writes by hand: a visitor GUID for 13 months and a session GUID until the
    // browser closes, each written when absent. No integrity, no consent, no session timeout.
    private static readonly CookieOptions VisitorCookie = new() { HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, MaxAge = TimeSpan.FromDays(395), Path = "/" };
    private static readonly CookieOptions SessionCookie = new() { HttpOnly = true, IsEssential = true, SameSite = SameSiteMode.Lax, Path = "/" };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || Array.IndexOf(Variants, args[0]) < 0
            || !int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            await Console.Error.WriteLineAsync($"usage: kestrel <{string.Join('|', Variants)}> <port>");
            return 2;
        }

        await using var app = Build(args[0], builder => builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port)));
        await app.StartAsync();
        // The script waits for this line before it sends the first request.
        Console.WriteLine($"listening on http://127.0.0.1:{port} ({args[0]})");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Builds the app of one variant; <paramref name="configure"/> chooses where it listens.</summary>
    public static WebApplication Build(string variant, Action<WebApplicationBuilder> configure)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Keys in memory: a run leaves nothing on disk, and each server signs its own cookies.
        builder.Services.AddDataProtection().AddKeyManagementOptions(static o => o.XmlRepository = new InMemoryXmlRepository());
        configure(builder);

        switch (variant)
        {
            case "bare":
                break;
            case "handwritten":
                break;
            case "cookiepolicy":
                builder.Services.Configure<CookiePolicyOptions>(static o => o.MinimumSameSitePolicy = SameSiteMode.Lax);
                break;
            case "firstparty":
                // Implied consent, so a new visitor gets its cookies on the first navigation.
                builder.Services.AddFirstParty(static o => o.Consent.Regime = ConsentRegime.Implied);
                break;
            case "profiles":
                builder.Services.AddFirstParty(static o => o.Consent.Regime = ConsentRegime.Implied)
                    .AddSnowplow()
                    .AddAmplitude(static o => o.ApiKey = "a1b2c3d4e5f60718293a4b5c6d7e8f90")
                    .AddGoogleAnalytics();
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown variant.");
        }

        var app = builder.Build();
        switch (variant)
        {
            case "handwritten":
                app.Use(HandWrittenCookies);
                break;
            case "cookiepolicy":
                app.UseCookiePolicy();
                app.Use(HandWrittenCookies);
                break;
            case "firstparty" or "profiles":
                app.UseFirstParty();
                break;
        }

        app.MapGet("/", static () => Results.Bytes(Page, "text/html; charset=utf-8"));
        return app;
    }

    private static Task HandWrittenCookies(HttpContext context, RequestDelegate next)
    {
        var cookies = context.Request.Cookies;
        if (!cookies.ContainsKey("vid"))
        {
            context.Response.Cookies.Append("vid", Guid.NewGuid().ToString("D"), VisitorCookie);
        }

        if (!cookies.ContainsKey("sid"))
        {
            context.Response.Cookies.Append("sid", Guid.NewGuid().ToString("D"), SessionCookie);
        }

        return next(context);
    }
}
