using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// The cookie gate against every way a server cookie can be written: through <c>Response.Cookies</c>,
/// as a raw header, in <c>OnStarting</c> callbacks, by middleware on either side of <c>UseFirstParty()</c>
/// and on responses that never reach it.
/// </summary>
public sealed class CookieGateTests
{
    private const string WritePath = "/write";
    private const string Preferences = "theme";
    private const string Marketing = "adid";
    private const string UndeclaredEventName = "UndeclaredCookie";
    private const string SuppressedEventName = "CookieSuppressed";

    public enum Way
    {
        Raw,
        ResponseCookies,
        OnStarting,
    }

    [Theory]
    [InlineData(Way.Raw)]
    [InlineData(Way.ResponseCookies)]
    [InlineData(Way.OnStarting)]
    public async Task A_refused_cookie_written_by_the_app_is_dropped_and_a_granted_one_passes(Way way)
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var before = await app.WriteAsync(jar, late: way, names: [Preferences, Marketing]);
        await app.ChooseAsync(jar, "custom", categories: "preferences");
        var after = await app.WriteAsync(jar, late: way, names: [Preferences, Marketing]);

        Assert.Equal(HttpStatusCode.OK, before.Status);
        Assert.Null(before.Written(Preferences));
        Assert.Null(before.Written(Marketing));
        Assert.NotNull(after.Written(Preferences));
        Assert.Null(after.Written(Marketing));
    }

    [Theory]
    [InlineData(Way.Raw)]
    [InlineData(Way.ResponseCookies)]
    [InlineData(Way.OnStarting)]
    public async Task A_middleware_before_UseFirstParty_cannot_write_a_refused_cookie(Way way)
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "custom", categories: "preferences");

        var response = await app.WriteAsync(jar, early: way, names: [Preferences, Marketing]);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.NotNull(response.Written(Preferences));
        Assert.Null(response.Written(Marketing));
    }

    [Fact]
    public async Task OnStarting_callbacks_registered_before_and_after_UseFirstParty_all_pass_the_gate()
    {
        await using var app = await StartAsync();
        using var suppressed = app.CollectMetric("firstparty.cookies.suppressed");
        var jar = new CookieJar();

        await app.ChooseAsync(jar, "custom", categories: "preferences");

        var response = await app.WriteAsync(jar, early: Way.OnStarting, late: Way.OnStarting, names: [Preferences, Marketing]);

        Assert.Equal(2, response.Named(Preferences).Count);
        Assert.Empty(response.Named(Marketing));
        Assert.Equal(2, suppressed.GetMeasurementSnapshot().Count(m => Equals(m.Tags["category"], "marketing")));
    }

    [Theory]
    [InlineData(Way.Raw)]
    [InlineData(Way.ResponseCookies)]
    [InlineData(Way.OnStarting)]
    public async Task A_response_that_never_reaches_UseFirstParty_is_gated_by_the_consent_the_request_carries(Way way)
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();

        var undecided = await app.WriteAsync(jar, early: way, stop: true, names: [Preferences, Marketing, ".AspNetCore.Session"]);
        await app.ChooseAsync(jar, "custom", categories: "preferences");
        var decided = await app.WriteAsync(jar, early: way, stop: true, names: [Preferences, Marketing]);

        Assert.Equal(HttpStatusCode.NoContent, undecided.Status);
        Assert.Null(undecided.Written(Preferences));
        Assert.Null(undecided.Written(Marketing));
        Assert.NotNull(undecided.Written(".AspNetCore.Session"));
        Assert.Equal(HttpStatusCode.NoContent, decided.Status);
        Assert.NotNull(decided.Written(Preferences));
        Assert.Null(decided.Written(Marketing));
    }

    [Fact]
    public async Task A_response_that_never_reaches_UseFirstParty_leaves_granted_cookies_alone_when_everything_is_granted()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var response = await app.WriteAsync(jar, early: Way.Raw, stop: true, names: [Preferences, Marketing]);

        Assert.NotNull(response.Written(Preferences));
        Assert.NotNull(response.Written(Marketing));
    }

    [Fact]
    public async Task An_undeclared_cookie_under_Warn_passes_and_is_named_in_one_warning_per_name()
    {
        await using var app = await StartAsync("Warn");
        var jar = new CookieJar();

        var first = await app.WriteAsync(jar, early: Way.Raw, late: Way.ResponseCookies, names: ["mystery"]);
        var second = await app.WriteAsync(jar, late: Way.OnStarting, names: ["mystery", "enigma"]);
        await app.WriteAsync(jar, early: Way.OnStarting, stop: true, names: ["enigma"]);

        Assert.Equal(2, first.Named("mystery").Count);
        Assert.NotNull(second.Written("mystery"));
        Assert.NotNull(second.Written("enigma"));
        var warnings = app.Logs.GetSnapshot().Where(r => r.Id.Name == UndeclaredEventName).ToList();
        Assert.All(warnings, w => Assert.Equal(LogLevel.Warning, w.Level));
        Assert.Single(warnings, w => w.Message.Contains("mystery", StringComparison.Ordinal));
        Assert.Single(warnings, w => w.Message.Contains("enigma", StringComparison.Ordinal));
        Assert.Equal(2, warnings.Count);
    }

    [Theory]
    [InlineData(Way.Raw)]
    [InlineData(Way.ResponseCookies)]
    [InlineData(Way.OnStarting)]
    public async Task An_undeclared_cookie_under_Block_is_dropped_even_when_everything_is_granted(Way way)
    {
        await using var app = await StartAsync("Block");
        using var suppressed = app.CollectMetric("firstparty.cookies.suppressed");
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "accept-all");

        var late = await app.WriteAsync(jar, late: way, names: ["mystery", Marketing]);
        var early = await app.WriteAsync(jar, early: way, stop: true, names: ["mystery", Marketing]);

        Assert.Empty(late.Named("mystery"));
        Assert.NotNull(late.Written(Marketing));
        Assert.Empty(early.Named("mystery"));
        Assert.NotNull(early.Written(Marketing));
        Assert.Equal(2, suppressed.GetMeasurementSnapshot().Count(m => Equals(m.Tags["category"], "undeclared")));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Name == UndeclaredEventName);
    }

    [Theory]
    [InlineData(Way.Raw)]
    [InlineData(Way.ResponseCookies)]
    [InlineData(Way.OnStarting)]
    public async Task An_undeclared_cookie_under_Allow_passes_without_a_word(Way way)
    {
        await using var app = await StartAsync("Allow");
        var jar = new CookieJar();

        var late = await app.WriteAsync(jar, late: way, names: ["mystery", Marketing]);
        var early = await app.WriteAsync(jar, early: way, stop: true, names: ["mystery", Marketing]);

        Assert.NotNull(late.Written("mystery"));
        Assert.Null(late.Written(Marketing));
        Assert.NotNull(early.Written("mystery"));
        Assert.Null(early.Written(Marketing));
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Name == UndeclaredEventName);
        Assert.Contains(app.Logs.GetSnapshot(), r => r.Id.Name == SuppressedEventName && r.Message.Contains(Marketing, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_gate_runs_once_per_request_even_when_a_decision_in_the_request_gates_again()
    {
        await using var app = await StartAsync();
        var jar = new CookieJar { [Marketing] = "planted" };

        var navigation = await app.WriteAsync(jar, names: []);
        jar[Marketing] = "planted";
        var refusal = await app.ChooseAsync(jar, "reject-all");

        Assert.Single(navigation.Deletions(Marketing), c => c.Domain.Value is null);
        Assert.Single(refusal.Deletions(Marketing), c => c.Domain.Value is null);
    }

    [Fact]
    public async Task Calling_AddFirstParty_twice_still_starts_the_pipeline_with_one_gate()
    {
        await using var app = await StartAsync(configureServices: services => services.AddFirstParty());
        var jar = new CookieJar { [Marketing] = "planted" };

        var navigation = await app.WriteAsync(jar, names: []);

        Assert.Single(navigation.Deletions(Marketing), c => c.Domain.Value is null);
    }

    [Fact]
    public async Task A_startup_filter_registered_before_AddFirstParty_still_runs_behind_the_gate()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            Configure(o, "Warn");
            o.AddFirstParty = false;
            o.ConfigureServices = services =>
            {
                services.AddSingleton<IStartupFilter>(new WriterStartupFilter());
                services.AddFirstParty(f => f.Consent.Categories = Categories());
            };
        });

        var response = await app.WriteAsync(new CookieJar(), early: Way.OnStarting, names: [Preferences, Marketing]);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Empty(response.Named(Preferences));
        Assert.Empty(response.Named(Marketing));
    }

    [Fact]
    public async Task A_hosted_pipeline_does_not_warn_that_the_gate_is_out_of_place()
    {
        await using var app = await StartAsync();

        await app.WriteAsync(new CookieJar(), late: Way.Raw, names: [Marketing]);

        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Name == "CookieGateNotAtPipelineStart");
    }

    [Fact]
    public async Task A_pipeline_built_without_the_startup_filters_warns_once_and_still_gates_what_follows_UseFirstParty()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace));
        services.AddFakeLogging();
        services.AddFirstParty(o => o.Consent.Categories = Categories());
        TestApp.UseInMemoryKeyRing(services, new InMemoryXmlRepository());
        await using var provider = services.BuildServiceProvider();
        var app = new ApplicationBuilder(provider);
        app.UseFirstParty();
        app.Run(context =>
        {
            context.Response.Headers.Append("Set-Cookie", Marketing + "=v; path=/");
            context.Response.Headers.Append("Set-Cookie", ".AspNetCore.Session=v; path=/");
            return Task.CompletedTask;
        });
        var pipeline = app.Build();

        var first = await SendWithoutServerAsync(pipeline, provider);
        var second = await SendWithoutServerAsync(pipeline, provider);

        Assert.Equal([".AspNetCore.Session=v; path=/"], first);
        Assert.Equal([".AspNetCore.Session=v; path=/"], second);
        var warning = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "CookieGateNotAtPipelineStart");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("UseFirstParty()", warning.Message, StringComparison.Ordinal);
    }

    private static async Task<string[]> SendWithoutServerAsync(RequestDelegate pipeline, IServiceProvider services)
    {
        var response = new StartingResponseFeature();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Features.Set<Microsoft.AspNetCore.Http.Features.IHttpResponseFeature>(response);
        context.Request.Method = HttpMethods.Get;
        context.Request.Host = new HostString("localhost");
        await pipeline(context);
        await response.FireOnStartingAsync();
        return [.. context.Response.Headers.SetCookie.Select(static h => h!)];
    }

    private static Task<TestApp> StartAsync(string undeclared = "Warn", Action<IServiceCollection>? configureServices = null)
        => TestApp.StartAsync(o =>
        {
            Configure(o, undeclared);
            o.ConfigureServices = services =>
            {
                services.AddSingleton<IStartupFilter>(new WriterStartupFilter());
                configureServices?.Invoke(services);
            };
        });

    private static void Configure(TestAppOptions options, string undeclared)
    {
        options.Configuration["FirstParty:Consent:Regime"] = "OptIn";
        options.Configuration["FirstParty:Consent:UndeclaredCookies"] = undeclared;
        options.ConfigureFirstParty = o => o.Consent.Categories = Categories();
    }

    /// <summary>The default categories, with a cookie declared under preferences and one under marketing.</summary>
    private static List<ConsentCategoryOptions> Categories() =>
    [
        new() { Key = "necessary", Required = true },
        new() { Key = "preferences", Services = [new() { Key = "site", Cookies = [new() { Name = Preferences }] }] },
        new() { Key = "analytics" },
        new() { Key = "marketing", SaleOrSharing = true, Services = [new() { Key = "ads", Cookies = [new() { Name = Marketing }] }] },
    ];

    /// <summary>
    /// A middleware before the app's pipeline (so before <c>UseFirstParty()</c>) and a terminal one
    /// after it, each writing the cookies the query names in the way it names.
    /// </summary>
    private sealed class WriterStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (!context.Request.Path.Equals(WritePath, StringComparison.Ordinal))
                {
                    return nextMiddleware(context);
                }

                Write(context, context.Request.Query["early"]);
                if (context.Request.Query.ContainsKey("stop"))
                {
                    context.Response.StatusCode = StatusCodes.Status204NoContent;
                    return Task.CompletedTask;
                }

                return nextMiddleware(context);
            });
            next(app);
            app.Run(context =>
            {
                if (!context.Request.Path.Equals(WritePath, StringComparison.Ordinal))
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                Write(context, context.Request.Query["late"]);
                return context.Response.WriteAsync("ok");
            });
        };

        private static void Write(HttpContext context, string? way)
        {
            if (!Enum.TryParse<Way>(way, out var parsed))
            {
                return;
            }

            foreach (var name in context.Request.Query["name"])
            {
                var cookie = name!;
                switch (parsed)
                {
                    case Way.Raw:
                        context.Response.Headers.Append("Set-Cookie", $"{cookie}=v; path=/");
                        break;
                    case Way.ResponseCookies:
                        context.Response.Cookies.Append(cookie, "v");
                        break;
                    case Way.OnStarting:
                        context.Response.OnStarting(() =>
                        {
                            context.Response.Headers.Append("Set-Cookie", $"{cookie}=v; path=/");
                            return Task.CompletedTask;
                        });
                        break;
                }
            }
        }
    }

    /// <summary>A response feature that runs its <c>OnStarting</c> callbacks the way a server does: last registered first.</summary>
    private sealed class StartingResponseFeature : Microsoft.AspNetCore.Http.Features.HttpResponseFeature
    {
        private readonly List<(Func<object, Task> Callback, object State)> _callbacks = [];

        public override void OnStarting(Func<object, Task> callback, object state) => _callbacks.Add((callback, state));

        public async Task FireOnStartingAsync()
        {
            for (var i = _callbacks.Count - 1; i >= 0; i--)
            {
                await _callbacks[i].Callback(_callbacks[i].State);
            }
        }
    }
}

/// <summary>Requests to the <see cref="CookieGateTests"/> writer.</summary>
internal static class CookieGateTestRequests
{
    public static Task<RawResponse> WriteAsync(
        this TestApp app,
        CookieJar jar,
        CookieGateTests.Way? early = null,
        CookieGateTests.Way? late = null,
        bool stop = false,
        string[]? names = null)
    {
        var query = new List<string>();
        if (early is { } e)
        {
            query.Add("early=" + e);
        }

        if (late is { } l)
        {
            query.Add("late=" + l);
        }

        if (stop)
        {
            query.Add("stop=1");
        }

        query.AddRange((names ?? []).Select(n => "name=" + Uri.EscapeDataString(n)));
        return app.BrowseAsync("/write?" + string.Join('&', query), jar);
    }
}
