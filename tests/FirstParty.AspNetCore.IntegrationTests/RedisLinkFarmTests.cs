using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RazorPagesSample.Pages;
using StackExchange.Redis;

namespace FirstParty.AspNetCore.IntegrationTests;

/// <summary>
/// Two instances of the receiving site (two hosts of the Razor Pages sample sharing the Data
/// Protection key ring and a real Redis through <c>AddStackExchangeRedisCache</c>): a link used on
/// one is refused on the other, and the used-token entry lives as long as the token. Needs a Redis
/// server: <c>scripts/test.sh</c> starts one and passes it in <c>FIRSTPARTY_TEST_REDIS</c>.
/// </summary>
public sealed class RedisLinkFarmTests : IDisposable
{
    private const string RedisVariable = "FIRSTPARTY_TEST_REDIS";
    private readonly string _keys = Path.Combine(Path.GetTempPath(), "firstparty-redis-link-tests", Guid.NewGuid().ToString("N"));
    private readonly string _instanceName = "fp-test-" + Guid.NewGuid().ToString("N") + ":";
    private readonly SampleFactory<IndexModel> _homeHost = new();
    private readonly SampleFactory<IndexModel> _shopAHost = new();
    private readonly SampleFactory<IndexModel> _shopBHost = new();

    [Fact]
    public async Task A_link_used_on_one_instance_is_refused_on_the_other_and_lives_as_long_as_the_token()
    {
        var redis = Environment.GetEnvironmentVariable(RedisVariable);
        Assert.False(
            string.IsNullOrWhiteSpace(redis),
            $"{RedisVariable} is not set: these tests need a Redis server (host:port). Run them with scripts/test.sh, which starts one, or start redis-server and set {RedisVariable}=127.0.0.1:<port>.");
        var home = Site(_homeHost, redis: null);
        var shopA = Site(_shopAHost, redis);
        var shopB = Site(_shopBHost, redis);

        var sinceFirstLink = System.Diagnostics.Stopwatch.StartNew();
        var (link, visitorId) = await LinkFromHomeAsync(home);
        var shopperOnA = Shopper(shopA);
        var onA = await shopperOnA.NavigateAsync(link.PathAndQuery);
        var onB = await Shopper(shopB).NavigateAsync(link.PathAndQuery);

        Assert.Equal(302, onA.Status);
        Assert.NotNull(onA.Cookie("_fp_id"));
        Assert.Equal(visitorId, await VisitorIdAsync(shopperOnA));
        Assert.Equal(302, onB.Status);
        Assert.Equal("/Menu", onB.Location);
        Assert.Null(onB.Cookie("_fp_id"));

        var (fresh, _) = await LinkFromHomeAsync(home);
        var freshOnB = await Shopper(shopB).NavigateAsync(fresh.PathAndQuery);
        Assert.NotNull(freshOnB.Cookie("_fp_id"));

        // Each used token is one key, removed by Redis when the token expires (two minutes and the
        // last whole second after it was made).
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis!);
        var server = connection.GetServer(connection.GetEndPoints().Single());
        var used = server.Keys(pattern: _instanceName + "firstparty:link:*").ToList();
        Assert.Equal(2, used.Count);
        foreach (var key in used)
        {
            var ttl = await connection.GetDatabase().KeyTimeToLiveAsync(key);
            Assert.NotNull(ttl);
            // What is left of the token's life: less what the test took since the first link was made
            // (two sites start and connect to Redis in between, which a busy machine makes slow).
            Assert.InRange(ttl.Value, TimeSpan.FromSeconds(119) - sinceFirstLink.Elapsed, TimeSpan.FromSeconds(121));
        }
    }

    private static async Task<(Uri Link, string VisitorId)> LinkFromHomeAsync(WebApplicationFactory<IndexModel> home)
    {
        var visitor = Browser(home, "https://www.example.com");
        await visitor.ChooseAsync("accept-all", "/");
        var id = (await VisitorIdAsync(visitor))!;
        var hop = await visitor.FetchAsync("/_fp/link?to=" + Uri.EscapeDataString("https://shop.example.org/Menu"));
        Assert.Equal(302, hop.Status);
        var link = new Uri(hop.Location!);
        Assert.Contains("_fpl=", link.Query, StringComparison.Ordinal);
        return (link, id);
    }

    private static async Task<string?> VisitorIdAsync(SampleClient browser)
    {
        var visitor = await browser.FetchAsync("/api/visitor");
        Assert.Equal(200, visitor.Status);
        using var json = JsonDocument.Parse(visitor.Body);
        return json.RootElement.GetProperty("visitorId").GetString();
    }

    private static SampleClient Shopper(WebApplicationFactory<IndexModel> shop)
    {
        // California: OptOut, so the visitor cookie is allowed without a decision.
        var shopper = Browser(shop, "https://shop.example.org");
        shopper.Headers["X-Region"] = "US-CA";
        return shopper;
    }

    private WebApplicationFactory<IndexModel> Site(SampleFactory<IndexModel> host, string? redis) => host.WithWebHostBuilder(b =>
    {
        b.UseSetting("DataProtection:KeyDirectory", _keys)
            .UseSetting("FirstParty:Linking:Domains:0", "www.example.com")
            .UseSetting("FirstParty:Linking:Domains:1", "shop.example.org");
        if (redis is not null)
        {
            // The first use opens the connection, which on a busy test machine can take longer
            // than the one-second default; a timeout would let memory decide and hide a failure here.
            b.UseSetting("FirstParty:Linking:ReplayStoreTimeout", "00:00:15");
            b.ConfigureTestServices(s => s.AddStackExchangeRedisCache(o =>
            {
                o.Configuration = redis;
                o.InstanceName = _instanceName;
            }));
        }
    });

    private static SampleClient Browser(WebApplicationFactory<IndexModel> site, string origin)
        => new(site.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri(origin), HandleCookies = false, AllowAutoRedirect = false }));

    public void Dispose()
    {
        _homeHost.Dispose();
        _shopAHost.Dispose();
        _shopBHost.Dispose();
        if (Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }
}
