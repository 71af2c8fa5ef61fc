using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The key ring's health check: where the keys are, and whether a restart keeps them.</summary>
public sealed class KeyRingHealthCheckTests
{
    private static readonly KeyRingStorage InDatabase = new(true, "EntityFrameworkCoreXmlRepository<AppDbContext>", null, "keys are kept by EntityFrameworkCoreXmlRepository<AppDbContext>");

    private static readonly KeyRingStorage InMemory = new(false, "InMemoryXmlRepository", null, "the key repository InMemoryXmlRepository keeps keys in memory only");

    private static Task<HealthCheckResult> CheckAsync(KeyRingStorage storage, CookieKeyRing ring, HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        var check = new KeyRingHealthCheck(storage, ring);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("firstparty-key-ring", check, failureStatus, null) };
        return check.CheckHealthAsync(context);
    }

    [Fact]
    public async Task A_persisted_key_ring_is_healthy_and_reports_its_keys()
    {
        using var keys = new TestKeyRing();
        var key = Assert.Single(keys.KeyManager.GetAllKeys());

        var result = await CheckAsync(InDatabase, keys.CreateKeyRing());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(true, result.Data["persisted"]);
        Assert.Equal("EntityFrameworkCoreXmlRepository<AppDbContext>", result.Data["repository"]);
        Assert.Equal(1, result.Data["keys"]);
        Assert.Equal(key.ExpirationDate, DateTimeOffset.Parse((string)result.Data["currentKeyExpires"], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task A_key_ring_that_dies_with_the_process_is_degraded()
    {
        using var keys = new TestKeyRing();

        var result = await CheckAsync(InMemory, keys.CreateKeyRing());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(false, result.Data["persisted"]);
        Assert.Contains("not persisted", result.Description, StringComparison.Ordinal);
        Assert.Contains("InMemoryXmlRepository", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_store_that_cannot_be_read_takes_the_failure_status()
    {
        var repository = new CookieKeyRingTests.FlakyXmlRepository();
        using var keys = new TestKeyRing(repository, createKey: false);
        repository.Failing = true;

        var result = await CheckAsync(InDatabase, keys.CreateKeyRing(), HealthStatus.Degraded);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Equal(0, result.Data["keys"]);
        Assert.Contains("cannot be read", result.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_registered_check_reports_the_apps_key_ring()
    {
        await using var app = await TestApp.StartAsync(o => o.ConfigureServices = services => services.AddHealthChecks().AddFirstPartyKeyRing());

        var report = await app.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

        var entry = report.Entries["firstparty-key-ring"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal("InMemoryXmlRepository", entry.Data["repository"]);
        Assert.Equal(false, entry.Data["persisted"]);
    }
}
