using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// What a response owes the browser is written by one ordered step when it starts: the visitor
/// cookies, then the SDK cookies derived from them, then the gate's deletions and filter, after
/// every callback the app registered.
/// </summary>
public sealed class ResponseStepsTests
{
    private const string AppCookie = "app_note";
    private const string RefusedCookie = "_mk";

    private static Task<TestApp> StartAsync()
        => StartConsentAppAsync("OptIn", o =>
        {
            o.BaseAddress = new Uri("http://www.example.com/");
            o.Configuration["FirstParty:Consent:Categories:0:Key"] = "necessary";
            o.Configuration["FirstParty:Consent:Categories:0:Required"] = "true";
            o.Configuration["FirstParty:Consent:Categories:1:Key"] = "analytics";
            o.Configuration["FirstParty:Consent:Categories:2:Key"] = "marketing";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Key"] = "ads";
            o.Configuration["FirstParty:Consent:Categories:2:Services:0:Cookies:0:Name"] = RefusedCookie;
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                new FirstPartyBuilder(services).AddSnowplow();
                services.AddSingleton<IStartupFilter, LateCookieStartupFilter>();
            };
        });

    [Fact]
    public async Task The_app_callbacks_run_first_then_visitor_then_SDK_cookies_then_the_gate_deletes_and_filters()
    {
        await using var app = await StartAsync();
        var decided = new CookieJar();
        await app.ChooseAsync(decided, "custom", json: true, categories: "analytics");

        // A new visitor under a decision that grants analytics and refuses marketing, whose browser
        // still holds a marketing cookie.
        var jar = new CookieJar { [ConsentCookie] = decided[ConsentCookie]!, [RefusedCookie] = "old" };
        var page = await app.BrowseAsync("/", jar, r => r.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document"));

        var ranks = page.SetCookies.Select(c => Rank(c.Name.ToString(), RawResponse.IsDeletion(c))).ToList();
        Assert.Equal([0, 1, 2, 3], ranks.Distinct());
        Assert.Equal(ranks.Order().ToList(), ranks);
        Assert.Equal(2, ranks.Count(r => r == 1));

        // The app's callback wrote the refused cookie around Response.Cookies: the gate, last, dropped it.
        Assert.DoesNotContain(page.SetCookies, c => c.Name == RefusedCookie && !RawResponse.IsDeletion(c));
        Assert.NotEmpty(page.Deletions(RefusedCookie));
    }

    /// <summary>0 the app's callback, 1 the visitor step, 2 the SDK step, 3 the gate's deletions.</summary>
    private static int Rank(string name, bool deletion) => name switch
    {
        AppCookie => 0,
        "_fp_id" or "_fp_ses" => 1,
        _ when name.StartsWith("_sp_", StringComparison.Ordinal) => 2,
        RefusedCookie when deletion => 3,
        _ => throw new Xunit.Sdk.XunitException($"Unexpected Set-Cookie '{name}'."),
    };

    /// <summary>
    /// A middleware inside the pipeline (after the response step's registration, before
    /// UseFirstParty) whose OnStarting callback writes two cookies by hand: one undeclared, one the
    /// consent refuses.
    /// </summary>
    private sealed class LateCookieStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Response.OnStarting(() =>
                {
                    context.Response.Headers.Append("Set-Cookie", $"{AppCookie}=1; path=/");
                    context.Response.Headers.Append("Set-Cookie", $"{RefusedCookie}=from-app; path=/");
                    return Task.CompletedTask;
                });
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
