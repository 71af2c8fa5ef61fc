using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FirstParty.AspNetCore;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Benchmarks;

/// <summary>
/// What the ledger adds to a consent decision in the default (background) mode: one decision per
/// measurement, so the percentiles are per-request latencies. The difference between the in-memory
/// store and SQLite is the cost of a durable ledger on the request path; the writer is busy
/// writing earlier receipts to the database meanwhile.
/// </summary>
[Config(typeof(LatencyConfig))]
[MemoryDiagnoser]
public class ConsentDecisionLatencyBenchmarks
{
    private BenchmarkHost _host = null!;
    private ConsentManager _manager = null!;
    private FirstParty.AspNetCore.Pipeline.ConsentDecisions _decisions = null!;
    private ConsentLedgerWriter _writer = null!;
    private string[] _all = [];

    [Params("InMemory", "Sqlite")]
    public string Store { get; set; } = "InMemory";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = new BenchmarkHost(services => LedgerStores.Add(services.AddFirstParty(), Store), static app => app.UseFirstParty());
        var services = _host.Services;
        await LedgerStores.PrepareAsync(services);
        _writer = services.GetRequiredService<ConsentLedgerWriter>();
        await _writer.StartAsync(CancellationToken.None);
        _manager = services.GetRequiredService<ConsentManager>();
        _decisions = services.GetRequiredService<FirstParty.AspNetCore.Pipeline.ConsentDecisions>();
        _all = [.. _manager.Policy.Categories.Select(static c => c.Key)];
    }

    [Benchmark]
    public Task AcceptAll()
    {
        var context = new DefaultHttpContext { RequestServices = _host.Services };
        context.Features.Set<IHttpResponseFeature>(new BenchmarkHost.StartingResponseFeature());
        context.Request.Host = new HostString("www.example.co.uk");
        context.Request.Headers.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36";
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("203.0.113.77");
        var consent = _manager.Resolve(context);
        context.Features.Set<IConsentFeature>(consent);
        return _decisions.DecideAsync(context, consent, ConsentSources.AcceptAll, _all, "/menu");
    }

    [GlobalCleanup]
    public Task CleanupAsync() => _writer.StopAsync(CancellationToken.None);

    private sealed class LatencyConfig : ManualConfig
    {
        public LatencyConfig()
        {
            AddJob(Job.Default.WithOutlierMode(Perfolizer.Mathematics.OutlierDetection.OutlierMode.DontRemove).WithInvocationCount(1).WithUnrollFactor(1).WithWarmupCount(200).WithIterationCount(3000).WithLaunchCount(1));
            AddColumn(StatisticColumn.P50, StatisticColumn.P95, new P99Column());
        }
    }
}
