using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Tests.Ledger;
using FirstParty.AspNetCore.Tests.TestUtils;
using static FirstParty.AspNetCore.Tests.TestUtils.ConsentTestHelpers;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// Decisions and ledger writes are traced on the <c>FirstParty.AspNetCore</c> activity source. The
/// listener hears every test's activities, so this class runs alone.
/// </summary>
[Collection(nameof(TracingTests))]
public sealed class TracingTests : IDisposable
{
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private readonly TempDirectory _directory = new();

    public TracingTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "FirstParty.AspNetCore",
            Sample = static (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose()
    {
        _listener.Dispose();
        _directory.Dispose();
    }

    [Fact]
    public async Task A_decision_is_traced_with_its_source_regime_and_signal_and_no_identifier()
    {
        await using var app = await StartConsentAppAsync("OptIn");
        var jar = new CookieJar();

        await app.ChooseAsync(jar, "accept-all", json: true, configure: r => r.Headers.Add("Sec-GPC", "1"));

        var decision = Assert.Single(_stopped, a => a.OperationName == "firstparty.consent.decision" && Equals(a.GetTagItem("firstparty.consent.source"), "accept-all"));
        Assert.Equal("OptIn", decision.GetTagItem("firstparty.consent.regime"));
        Assert.Equal(true, decision.GetTagItem("firstparty.consent.gpc"));
        Assert.Equal(ActivityStatusCode.Unset, decision.Status);
        Assert.DoesNotContain(decision.TagObjects, t => t.Key.Contains("id", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_ledger_write_is_traced_with_its_size_and_a_failed_one_as_an_error()
    {
        await using var host = new LedgerWriterHost(_directory.Path);
        await host.Writer.StartAsync(CancellationToken.None);
        host.Store.Failing = true;
        await host.Writer.RecordAsync(TestReceipts.Create());
        await Poll.UntilAsync(() => _stopped.Any(a => a.OperationName == "firstparty.ledger.write" && a.Status == ActivityStatusCode.Error), "a failed write is traced");
        host.Store.Failing = false;
        await host.Writer.RecordAsync(TestReceipts.Create());

        await Poll.UntilAsync(() => _stopped.Any(a => a.OperationName == "firstparty.ledger.write" && a.Status == ActivityStatusCode.Unset), "a successful write is traced");
        var failed = _stopped.First(a => a.OperationName == "firstparty.ledger.write" && a.Status == ActivityStatusCode.Error);
        Assert.Equal(1, failed.GetTagItem("firstparty.ledger.operations"));
        Assert.Equal(ActivityKind.Client, failed.Kind);
        Assert.NotNull(failed.GetTagItem("error.type"));
    }

    [Fact]
    public async Task A_collector_forward_is_traced_with_its_vendor_size_and_status_and_a_failed_one_as_an_error()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var upstream = new CapturingUpstream();
        var fail = false;
        upstream.Respond = _ => new HttpResponseMessage(fail ? System.Net.HttpStatusCode.ServiceUnavailable : System.Net.HttpStatusCode.OK);
        var sink = new FirstParty.AspNetCore.Collector.CollectorUpstreamSink(
            new FirstParty.AspNetCore.Tests.Collector.EchoVendor(),
            new Uri("https://upstream.test"),
            new FirstParty.AspNetCore.Collector.CollectorUpstreamClient(upstream, Microsoft.Extensions.Options.Options.Create(new FirstPartyOptions())),
            new FirstParty.AspNetCore.Diagnostics.FirstPartyMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        FirstParty.AspNetCore.Collector.CollectorEnvelope[] batch = [new() { Vendor = "echo", Path = "/collect", Body = "a" }, new() { Vendor = "echo", Path = "/collect", Body = "b" }];

        await sink.DeliverAsync(batch, new FirstParty.AspNetCore.Outbox.DeliveryOutcome[2], CancellationToken.None);
        fail = true;
        await sink.DeliverAsync(batch, new FirstParty.AspNetCore.Outbox.DeliveryOutcome[2], CancellationToken.None);

        var spans = _stopped.Where(a => a.OperationName == "firstparty.collector.forward").ToList();
        Assert.Equal(2, spans.Count);
        Assert.All(spans, a =>
        {
            Assert.Equal(ActivityKind.Client, a.Kind);
            Assert.Equal("echo", a.GetTagItem("firstparty.collector.vendor"));
            Assert.Equal(2, a.GetTagItem("firstparty.collector.events"));
        });
        Assert.Equal(200, spans[0].GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Unset, spans[0].Status);
        Assert.Equal(503, spans[1].GetTagItem("http.response.status_code"));
        Assert.Equal(ActivityStatusCode.Error, spans[1].Status);
    }
}

/// <summary>Runs <see cref="TracingTests"/> after the parallel tests, alone.</summary>
[CollectionDefinition(nameof(TracingTests), DisableParallelization = true)]
public sealed class TracingTestsCollection;
