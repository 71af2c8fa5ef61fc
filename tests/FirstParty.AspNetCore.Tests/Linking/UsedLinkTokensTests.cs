using System.Diagnostics.Metrics;
using System.Net;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Linking;
using FirstParty.AspNetCore.Tests.Ledger;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests.Linking;

/// <summary>
/// Link tokens are used once across instances sharing an <see cref="IDistributedCache"/>, and a
/// cache that fails or hangs never fails or holds the request: memory decides, logged and counted.
/// </summary>
public sealed class UsedLinkTokensTests : IDisposable
{
    private const string VisitorId = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero));
    private readonly IDataProtectionProvider _keys = new EphemeralDataProtectionProvider();
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogger<UsedLinkTokens> _logger = new();

    [Fact]
    public async Task A_link_used_on_one_instance_is_refused_on_another_sharing_the_cache()
    {
        var cache = new SharedCache();
        var a = Tokens(cache);
        var b = Tokens(cache);
        var token = a.Create(VisitorId, "www.example.com", "shop.example.org");

        Assert.Equal((VisitorId, (string?)null), await a.ValidateAsync(token, "shop.example.org"));
        Assert.Equal((null, "replayed"), await b.ValidateAsync(token, "shop.example.org"));
        Assert.Equal((VisitorId, (string?)null), await b.ValidateAsync(a.Create(VisitorId, "www.example.com", "shop.example.org"), "shop.example.org"));
    }

    [Fact]
    public async Task The_entry_lives_until_the_token_expires()
    {
        var cache = new SharedCache();
        var tokens = Tokens(cache);
        var issued = _time.GetUtcNow();
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");
        _time.Advance(TimeSpan.FromSeconds(30));

        await tokens.ValidateAsync(token, "shop.example.org");

        // Used 30 s after it was made: still refused from issued + two minutes + the last whole second.
        var (key, entry) = Assert.Single(cache.Sets);
        Assert.StartsWith(UsedLinkTokens.KeyPrefix, key, StringComparison.Ordinal);
        Assert.Equal(issued.AddSeconds(121), entry.AbsoluteExpiration);
        Assert.Null(entry.AbsoluteExpirationRelativeToNow);
        Assert.Null(entry.SlidingExpiration);
    }

    [Fact]
    public async Task The_frameworks_in_process_distributed_cache_is_not_taken_for_a_shared_store()
    {
        var memory = new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions()));
        var used = Used(memory);
        var tokens = new CrossDomainTokens(LinkOptions(), _keys, _time, used);
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");

        Assert.Equal((VisitorId, (string?)null), await tokens.ValidateAsync(token, "shop.example.org"));
        Assert.Equal((null, "replayed"), await tokens.ValidateAsync(token, "shop.example.org"));
        Assert.False(used.IsShared);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == 53 && r.Message.Contains("memory only", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_cache_falls_back_to_memory_logs_and_counts()
    {
        using var failures = Collect();
        var tokens = Tokens(new FailingCache());
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");

        Assert.Equal((VisitorId, (string?)null), await tokens.ValidateAsync(token, "shop.example.org"));
        Assert.Equal((null, "replayed"), await tokens.ValidateAsync(token, "shop.example.org"));

        var log = Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 51);
        Assert.IsType<InvalidOperationException>(log.Exception);
        var measurement = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal("error", measurement.Tags["reason"]);
    }

    [Fact]
    public async Task A_hung_cache_holds_the_link_no_longer_than_the_timeout()
    {
        using var failures = Collect();
        var tokens = Tokens(new HungCache());
        var token = tokens.Create(VisitorId, "www.example.com", "shop.example.org");

        var check = tokens.ValidateAsync(token, "shop.example.org").AsTask();
        await Task.Delay(50);
        Assert.False(check.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal((VisitorId, (string?)null), await check.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 52);
        Assert.Equal("timeout", Assert.Single(failures.GetMeasurementSnapshot()).Tags["reason"]);
    }

    [Fact]
    public async Task A_cache_that_answers_after_the_timeout_still_records_the_token()
    {
        var cache = new SharedCache { Gate = new TaskCompletionSource() };
        var a = Tokens(cache);
        var b = Tokens(cache);
        var token = a.Create(VisitorId, "www.example.com", "shop.example.org");

        var check = a.ValidateAsync(token, "shop.example.org").AsTask();
        await Task.Delay(50);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal((VisitorId, (string?)null), await check.WaitAsync(TimeSpan.FromSeconds(10)));

        cache.Gate.SetResult();
        await cache.Recorded.Task.WaitAsync(TimeSpan.FromSeconds(10));
        cache.Gate = null;

        Assert.Equal((null, "replayed"), await b.ValidateAsync(token, "shop.example.org"));
    }

    [Fact]
    public async Task A_claim_another_instance_overwrote_before_the_read_back_loses()
    {
        // Another instance read the key before this one wrote, and wrote its own claim right after.
        var cache = new SharedCache { AfterSet = (c, key) => c.Set(key, [1, 2, 3], new DistributedCacheEntryOptions()) };
        var tokens = Tokens(cache);

        Assert.Equal((null, "replayed"), await tokens.ValidateAsync(tokens.Create(VisitorId, "www.example.com", "shop.example.org"), "shop.example.org"));
    }

    [Fact]
    public async Task A_link_is_adopted_through_the_pipeline_while_the_cache_throws()
    {
        await using var app = await TestApp.StartAsync(o =>
        {
            o.BaseAddress = new Uri("http://shop.example.org/");
            o.Configuration["FirstParty:Linking:Domains:0"] = "www.example.com";
            o.Configuration["FirstParty:Linking:Domains:1"] = "shop.example.org";
            o.ConfigureServices = s => s.AddSingleton<IDistributedCache, FailingCache>();
        });
        // The background warm-up meets the same broken store; let it fail first so only the request's failure is counted below.
        await Poll.UntilAsync(() => app.Logs.GetSnapshot().Any(r => r.Id.Id == 51), "the warm-up reports the broken store");
        using var failures = app.CollectMetric("firstparty.linking.replay_store.failed");
        var token = app.Services.GetRequiredService<CrossDomainTokens>().Create(VisitorId, "www.example.com", "shop.example.org");

        var landing = await app.NavigateAsync("/page?_fpl=" + Uri.EscapeDataString(token));

        Assert.Equal(HttpStatusCode.Redirect, landing.Status);
        Assert.NotNull(landing.Cookie(TestApp.VisitorCookie));
        Assert.Equal(2, app.Logs.GetSnapshot().Count(r => r.Id.Id == 51));
        Assert.Equal("error", Assert.Single(failures.GetMeasurementSnapshot()).Tags["reason"]);
    }

    public void Dispose() => _services.Dispose();

    private CrossDomainTokens Tokens(IDistributedCache cache) => new(LinkOptions(), _keys, _time, Used(cache));

    [Fact]
    public async Task The_shared_store_is_opened_in_the_background_when_the_app_starts_before_any_link()
    {
        var cache = new SharedCache();
        using var warmUp = new UsedLinkTokensWarmUp(Used(cache));

        await warmUp.StartAsync(CancellationToken.None);
        await Poll.UntilAsync(() => !cache.Reads.IsEmpty, "the warm-up reads the store");
        await warmUp.StopAsync(CancellationToken.None);

        Assert.Equal([UsedLinkTokens.KeyPrefix + "warm-up"], cache.Reads);
        Assert.Empty(cache.Sets);
    }

    [Fact]
    public async Task A_warm_up_against_a_failing_store_is_logged_and_counted_and_never_thrown()
    {
        using var failed = Collect();

        await Used(new FailingCache()).WarmUpAsync(CancellationToken.None);

        Assert.Single(_logger.Collector.GetSnapshot(), l => l.Id.Id == 51);
        Assert.Equal(1, failed.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    private UsedLinkTokens Used(IDistributedCache cache)
        => new(LinkOptions(), _time, new FirstPartyMetrics(_services.GetRequiredService<IMeterFactory>()), _logger, cache);

    private MetricCollector<long> Collect()
        => new(_services.GetRequiredService<IMeterFactory>(), FirstPartyMetrics.MeterName, "firstparty.linking.replay_store.failed");

    private static IOptions<FirstPartyOptions> LinkOptions()
        => Options.Create(new FirstPartyOptions { Linking = { Domains = ["www.example.com", "shop.example.org"] } });

    /// <summary>A store shared by "instances" in this process, as Redis would be (not MemoryDistributedCache, which is skipped).</summary>
    private sealed class SharedCache : IDistributedCache
    {
        private readonly MemoryDistributedCache _inner = new(Options.Create(new MemoryDistributedCacheOptions()));

        public List<(string Key, DistributedCacheEntryOptions Entry)> Sets { get; } = [];

        public Action<IDistributedCache, string>? AfterSet { get; init; }

        public byte[]? Get(string key) => _inner.Get(key);

        /// <summary>When set, every call waits for it: a slow store.</summary>
        public TaskCompletionSource? Gate { get; set; }

        /// <summary>Completes once a value was written.</summary>
        public TaskCompletionSource Recorded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>The keys read, in order.</summary>
        public System.Collections.Concurrent.ConcurrentQueue<string> Reads { get; } = new();

        public async Task<byte[]?> GetAsync(string key, CancellationToken token = default)
        {
            Reads.Enqueue(key);
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            return await _inner.GetAsync(key, token);
        }

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _inner.Set(key, value, options);

        public async Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
        {
            Sets.Add((key, options));

            // The in-process cache checks expirations against the real clock; the entry's own is recorded above.
            await _inner.SetAsync(key, value, new DistributedCacheEntryOptions(), token);
            AfterSet?.Invoke(_inner, key);
            Recorded.TrySetResult();
        }

        public void Refresh(string key) => _inner.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => _inner.RefreshAsync(key, token);

        public void Remove(string key) => _inner.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => _inner.RemoveAsync(key, token);
    }

    private sealed class FailingCache : IDistributedCache
    {
        public byte[]? Get(string key) => throw Down();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromException<byte[]?>(Down());

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw Down();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.FromException(Down());

        public void Refresh(string key) => throw Down();

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.FromException(Down());

        public void Remove(string key) => throw Down();

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.FromException(Down());

        private static InvalidOperationException Down() => new("The cache is down.");
    }

    /// <summary>Never answers and ignores cancellation, like a connection stuck on a dead server.</summary>
    private sealed class HungCache : IDistributedCache
    {
        private readonly TaskCompletionSource<byte[]?> _never = new();

        public byte[]? Get(string key) => _never.Task.GetAwaiter().GetResult();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => _never.Task;

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => _never.Task.Wait();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => _never.Task;

        public void Refresh(string key) => _never.Task.Wait();

        public Task RefreshAsync(string key, CancellationToken token = default) => _never.Task;

        public void Remove(string key) => _never.Task.Wait();

        public Task RemoveAsync(string key, CancellationToken token = default) => _never.Task;
    }
}
