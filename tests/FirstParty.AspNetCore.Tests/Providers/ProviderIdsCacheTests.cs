using System.Net;
using System.Text.Json;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>
/// <c>GetProviderIds()</c> is worked out once per request (several snippets share it) but never
/// outlives a decision made later in the same request.
/// </summary>
public sealed class ProviderIdsCacheTests
{
    private const string Path = "/probe/ids-around-a-decision";

    [Fact]
    public async Task A_decision_in_the_request_replaces_the_ids_worked_out_before_it()
    {
        await using var app = await StartConsentAppAsync(configure: o =>
        {
            o.BaseAddress = new Uri("http://www.example.com/");
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                new FirstPartyBuilder(services).AddSnowplow().AddGoogleAnalytics();
                services.AddSingleton<IStartupFilter, DecideInTheMiddle>();
            };
        });

        var response = await app.SendRawAsync(HttpMethod.Get, Path, new CookieJar());

        Assert.Equal(HttpStatusCode.OK, response.Status);
        using var json = JsonDocument.Parse(response.Body);
        var before = json.RootElement.GetProperty("before");
        var again = json.RootElement.GetProperty("again");
        var after = json.RootElement.GetProperty("after");
        Assert.Equal(JsonValueKind.Null, before.GetProperty("snowplowDomainUserId").ValueKind);
        Assert.Equal(JsonValueKind.Null, again.GetProperty("snowplowDomainUserId").ValueKind);
        Assert.Equal(json.RootElement.GetProperty("visitor").GetString(), after.GetProperty("snowplowDomainUserId").GetString());
        Assert.Matches(@"^[0-9]+\.[0-9]+$", after.GetProperty("googleAnalyticsClientId").GetString());
    }

    private sealed class DecideInTheMiddle : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            next(app);
            app.Use(async (context, nextMiddleware) =>
            {
                if (!context.Request.Path.Equals(Path, StringComparison.Ordinal))
                {
                    await nextMiddleware(context);
                    return;
                }

                var before = context.GetProviderIds();
                var again = context.GetProviderIds();
                await context.RequestServices.GetRequiredService<IConsentService>().SetAsync(context, ["analytics"]);
                var after = context.GetProviderIds();
                await context.Response.WriteAsJsonAsync(new { before, again, after, visitor = context.GetVisitor()?.VisitorId });
            });
        };
    }
}
