using System.Net;
using System.Threading.RateLimiting;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>The group <c>MapFirstPartyCollector()</c> returns takes the app's conventions, rate limiting first.</summary>
public sealed class CollectorRouteGroupTests
{
    [Fact]
    public async Task The_collector_group_can_be_rate_limited_with_the_framework_s_limiter()
    {
        var spill = Path.Combine(Path.GetTempPath(), "fp-collector-rl-" + Guid.NewGuid().ToString("N"));
        var upstream = new CapturingUpstream();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FirstParty:Consent:Regime"] = "Implied",
            ["FirstParty:Collector:Enabled"] = "true",
            ["FirstParty:Collector:SpillDirectory"] = spill,
            ["FirstParty:Collector:Plausible:Upstream"] = "https://plausible.test",
        });
        builder.Services.AddFirstParty(builder.Configuration.GetSection("FirstParty"));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ICollectorVendor, EchoVendor>());
        builder.Services.RemoveAll<CollectorUpstreamClient>();
        builder.Services.AddSingleton(sp => new CollectorUpstreamClient(upstream, sp.GetRequiredService<IOptions<FirstPartyOptions>>()));
        TestApp.UseInMemoryKeyRing(builder.Services, new InMemoryXmlRepository());
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = Microsoft.AspNetCore.Http.StatusCodes.Status429TooManyRequests;
            o.AddFixedWindowLimiter("collector", w =>
            {
                w.PermitLimit = 2;
                w.Window = TimeSpan.FromMinutes(1);
                w.QueueLimit = 0;
                w.QueueProcessingOrder = QueueProcessingOrder.OldestFirst;
            });
        });
        await using var app = builder.Build();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseFirstParty();
        app.MapFirstPartyCollector().RequireRateLimiting("collector");
        await app.StartAsync();
        try
        {
            using var client = app.GetTestClient();
            var statuses = new List<HttpStatusCode>();
            for (var i = 0; i < 3; i++)
            {
                using var response = await client.PostAsync("/_fp/c/echo/hit", new StringContent("e" + i));
                statuses.Add(response.StatusCode);
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
            await upstream.WaitForAsync(2);
            await Task.Delay(200);
            Assert.DoesNotContain(upstream.Calls, c => c.Body.StartsWith("e2", StringComparison.Ordinal));
        }
        finally
        {
            await app.StopAsync();
            if (Directory.Exists(spill))
            {
                Directory.Delete(spill, recursive: true);
            }
        }
    }
}
