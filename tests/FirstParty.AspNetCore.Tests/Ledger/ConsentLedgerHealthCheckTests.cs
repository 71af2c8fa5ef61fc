using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.Ledger;

public sealed class ConsentLedgerHealthCheckTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new();
    private readonly List<LedgerWriterHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            host.Store.Failing = false;
            host.Store.Release();
            await host.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task A_working_store_and_an_empty_queue_are_healthy()
    {
        var host = await StartAsync();

        var result = await CheckAsync(host);

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Null(result.Exception);
        Assert.Equal(0, result.Data["queueDepth"]);
        Assert.Equal(10_000, result.Data["queueCapacity"]);
        Assert.Equal(0L, result.Data["spilled"]);
        Assert.Equal(0d, result.Data["oldestPendingSeconds"]);
        Assert.Equal(true, result.Data["storeReachable"]);
    }

    [Fact]
    public async Task The_data_names_every_documented_value()
    {
        var host = await StartAsync();

        var result = await CheckAsync(host);

        Assert.Equal(
            ["oldestPendingSeconds", "queueCapacity", "queueDepth", "spillFailing", "spilled", "storeReachable"],
            result.Data.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(HealthStatus.Unhealthy)]
    [InlineData(HealthStatus.Degraded)]
    public async Task A_store_that_does_not_answer_is_degraded_while_receipts_are_kept_in_the_spill_file(HealthStatus failureStatus)
    {
        // Every instance of a farm loses the database together: an unhealthy readiness probe on all
        // of them would take down a site that still works.
        var host = await StartAsync();
        host.Store.Reachable = false;

        var result = await CheckAsync(host, failureStatus);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(false, result.Data["storeReachable"]);
        Assert.Equal(false, result.Data["spillFailing"]);
        Assert.Null(result.Exception);
    }

    [Fact]
    public async Task A_store_whose_ping_throws_is_degraded_with_the_exception()
    {
        var host = await StartAsync();
        var failure = new TimeoutException("no answer");
        host.Store.ReachableFailure = failure;

        var result = await CheckAsync(host);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Same(failure, result.Exception);
        Assert.Equal(false, result.Data["storeReachable"]);
    }

    [Theory]
    [InlineData(HealthStatus.Unhealthy)]
    [InlineData(HealthStatus.Degraded)]
    public async Task Receipts_that_neither_the_store_nor_the_spill_file_takes_give_the_registrations_failure_status(HealthStatus failureStatus)
    {
        var blocker = Path.Combine(_directory.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a folder");
        var host = await StartAsync(o => o.SpillDirectory = Path.Combine(blocker, "ledger"));
        host.Store.Failing = true;
        host.Store.Reachable = false;

        await host.Writer.RecordAsync(TestReceipts.Create());
        await Poll.UntilAsync(() => host.Writer.SpillFailing, "the spill file refuses the receipt");
        var result = await CheckAsync(host, failureStatus);

        Assert.Equal(failureStatus, result.Status);
        Assert.Equal(true, result.Data["spillFailing"]);
        Assert.Contains("lost", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receipts_waiting_in_the_spill_file_make_it_degraded()
    {
        var host = await StartAsync();
        host.Store.Failing = true;
        await host.Writer.RecordAsync(TestReceipts.Create());
        await Poll.UntilAsync(() => host.Writer.SpilledCount == 1, "the receipt is spilled");

        // The store answers its ping but the backlog is not written yet.
        var result = await CheckAsync(host);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(1L, result.Data["spilled"]);
        Assert.Equal(true, result.Data["storeReachable"]);

        host.Store.Failing = false;
        await Poll.UntilAsync(() => host.Idle, "the spill file is replayed");
        Assert.Equal(HealthStatus.Healthy, (await CheckAsync(host)).Status);
    }

    [Fact]
    public async Task A_receipt_waiting_over_a_minute_makes_it_degraded_and_its_age_is_reported()
    {
        var time = new FakeTimeProvider(TestReceipts.At);
        var host = await StartAsync(time: time);
        host.Store.Block();
        await host.Writer.RecordAsync(TestReceipts.Create());
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the write starts");

        time.Advance(TimeSpan.FromSeconds(30));
        var young = await CheckAsync(host);
        Assert.Equal(HealthStatus.Healthy, young.Status);
        Assert.Equal(30d, young.Data["oldestPendingSeconds"]);

        time.Advance(TimeSpan.FromSeconds(90.5));
        var old = await CheckAsync(host);
        Assert.Equal(HealthStatus.Degraded, old.Status);
        Assert.Equal(120.5d, old.Data["oldestPendingSeconds"]);
    }

    [Fact]
    public async Task A_queue_more_than_80_percent_full_makes_it_degraded()
    {
        var host = await StartAsync(o => o.QueueCapacity = 10);
        host.Store.Block();
        await host.Writer.RecordAsync(TestReceipts.Create());
        await Poll.UntilAsync(() => host.Store.AppendsStarted >= 1, "the write starts");
        for (var i = 0; i < 8; i++)
        {
            await host.Writer.RecordAsync(TestReceipts.Create());
        }

        var atEighty = await CheckAsync(host);
        Assert.Equal(8, atEighty.Data["queueDepth"]);
        Assert.Equal(HealthStatus.Healthy, atEighty.Status);

        await host.Writer.RecordAsync(TestReceipts.Create());
        var overEighty = await CheckAsync(host);
        Assert.Equal(9, overEighty.Data["queueDepth"]);
        Assert.Equal(HealthStatus.Degraded, overEighty.Status);
    }

    [Fact]
    public async Task AddConsentLedger_registers_the_check_with_its_name_and_failure_status()
    {
        await using var app = await TestApp.StartAsync(o => o.ConfigureServices = services => services.AddHealthChecks().AddConsentLedger(failureStatus: HealthStatus.Degraded, tags: ["ready"]));
        var options = app.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value;
        var registration = Assert.Single(options.Registrations);
        Assert.Equal("consent-ledger", registration.Name);
        Assert.Equal(HealthStatus.Degraded, registration.FailureStatus);
        Assert.Equal(["ready"], registration.Tags);

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["consent-ledger"];
        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(true, entry.Data["storeReachable"]);
    }

    private static Task<HealthCheckResult> CheckAsync(LedgerWriterHost host, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        var check = new ConsentLedgerHealthCheck(host.Writer, Options.Create(host.Options));
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("consent-ledger", check, failureStatus, null) };
        return check.CheckHealthAsync(context);
    }

    private async Task<LedgerWriterHost> StartAsync(Action<ConsentLedgerOptions>? configure = null, TimeProvider? time = null)
    {
        var host = new LedgerWriterHost(_directory.Path, configure: configure, time: time);
        _hosts.Add(host);
        await host.Writer.StartAsync(CancellationToken.None);
        return host;
    }
}
