using System.Net;
using System.Text;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>The collector's health: degraded while an upstream fails, unhealthy only when events can be kept nowhere.</summary>
public sealed class CollectorHealthCheckTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "fp-collector-health-" + Guid.NewGuid().ToString("N"));
    private readonly CapturingUpstream _upstream = new();

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
        else if (File.Exists(_root))
        {
            File.Delete(_root);
        }
    }

    private Task<TestApp> StartAsync()
        => TestApp.StartAsync(o =>
        {
            CollectorTestSupport.EnableCollector(o, _upstream, _root);
            var previous = o.ConfigureServices;
            o.ConfigureServices = services =>
            {
                previous?.Invoke(services);
                services.TryAddEnumerable(ServiceDescriptor.Singleton<ICollectorVendor, EchoVendor>());
            };
        });

    private static Task<HealthCheckResult> CheckAsync(TestApp app)
        => new CollectorHealthCheck(app.Services.GetRequiredService<CollectorForwarder>()).CheckHealthAsync(new HealthCheckContext());

    private static async Task PostAsync(TestApp app, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "text/plain");
        using var response = await app.Client.PostAsync(CollectorTestSupport.Prefix + "/echo/hit", content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<HealthCheckResult> WaitForAsync(TestApp app, HealthStatus status)
    {
        // Generous: the full suite shares two cores with this test.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var entry = await CheckAsync(app);
            if (entry.Status == status)
            {
                return entry;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The collector stayed {entry.Status} ({entry.Description}), expected {status}.");
            app.Time.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task A_failing_upstream_is_degraded_with_its_figures_and_healthy_again_once_it_answers()
    {
        await using var app = await StartAsync();
        var healthy = await CheckAsync(app);
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(true, healthy.Data["echo.upstreamReachable"]);

        var down = true;
        _upstream.Respond = _ => new HttpResponseMessage(Volatile.Read(ref down) ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        await PostAsync(app, "waiting");
        var degraded = await WaitForAsync(app, HealthStatus.Degraded);
        Assert.Contains("echo", degraded.Description, StringComparison.Ordinal);
        Assert.Equal(false, degraded.Data["echo.upstreamReachable"]);

        Volatile.Write(ref down, false);
        await WaitForAsync(app, HealthStatus.Healthy);
        Assert.Contains(_upstream.Calls, c => c.Body.StartsWith("waiting|", StringComparison.Ordinal) && c.Uri.AbsolutePath == "/collect");
    }

    [Fact]
    public async Task Events_that_can_be_kept_nowhere_are_unhealthy()
    {
        // The spill folder cannot be created: a file stands where it should be.
        await File.WriteAllTextAsync(_root, "not a folder");
        await using var app = await StartAsync();
        _upstream.Respond = _ => new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);

        await PostAsync(app, "nowhere");

        var unhealthy = await WaitForAsync(app, HealthStatus.Unhealthy);
        Assert.Contains("echo", unhealthy.Description, StringComparison.Ordinal);
        // The loss is logged as it is reported, on the outbox's thread: give it that moment.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!app.Logs.GetSnapshot().Any(l => l.Id.Id == 66))
        {
            Assert.True(DateTime.UtcNow < deadline, "The lost events were not logged (event 66).");
            await Task.Delay(20);
        }
    }
}
