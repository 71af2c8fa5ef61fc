using BenchmarkDotNet.Attributes;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;

namespace Benchmarks;

/// <summary>
/// The cost of the visitor cookie's integrity protection on its own: writing a value, verifying a
/// value the process has not seen (a cold cache, or the first request after a restart), and
/// verifying a value it has seen; in format 3 (what is written), format 2 (still read) and format 1
/// (Data Protection, without signing secrets).
/// </summary>
[MemoryDiagnoser]
public class CookieIntegrityBenchmarks
{
    private readonly VisitorRecord _record = new("0f8c2a8e-5b9d-4c4e-8d7a-3f0f6a9b1c2d", 1_790_000_000, 3, "6a1d3e0c-9b8f-4a7e-b1c2-d3e4f5a6b7c8", 1_790_100_000);
    private ProtectedCookieCodec<VisitorRecord> _signedUncached = null!;
    private ProtectedCookieCodec<VisitorRecord> _signedCached = null!;
    private ProtectedCookieCodec<VisitorRecord> _dataProtectionUncached = null!;
    private string _signedValue = null!;
    private string _legacyValue = null!;
    private string _dataProtectionValue = null!;

    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddDataProtection().AddKeyManagementOptions(static o => o.XmlRepository = new InMemoryXmlRepository());
        var provider = services.BuildServiceProvider();
        var dataProtection = provider.GetRequiredService<IDataProtectionProvider>();
        var keyRing = new CookieKeyRing(provider.GetRequiredService<IKeyManager>(), dataProtection, "bench", TimeProvider.System);
        var protector = dataProtection.CreateProtector("bench");

        _signedUncached = new ProtectedCookieCodec<VisitorRecord>(new CookieProtector(protector, keyRing, "Visitor"), cacheCapacity: 0);
        _signedCached = new ProtectedCookieCodec<VisitorRecord>(new CookieProtector(protector, keyRing, "Visitor"));
        _dataProtectionUncached = new ProtectedCookieCodec<VisitorRecord>(protector, cacheCapacity: 0);
        _signedValue = _signedUncached.Protect(_record);
        _legacyValue = new CookieProtector(protector, keyRing, "Visitor").Protect(_record.Format());
        _dataProtectionValue = _dataProtectionUncached.Protect(_record);
        _signedCached.TryRead(_signedValue, out _);
    }

    [Benchmark(Description = "Signed (format 3): write")]
    public string SignedProtect() => _signedUncached.Protect(_record);

    [Benchmark(Description = "Signed (format 3): verify, not seen before")]
    public bool SignedVerifyCold() => _signedUncached.TryRead(_signedValue, out _) == CookieReadStatus.Valid;

    [Benchmark(Description = "Signed (format 3): verify, seen before")]
    public bool SignedVerifyWarm() => _signedCached.TryRead(_signedValue, out _) == CookieReadStatus.Valid;

    [Benchmark(Description = "Signed (format 2, still read): verify, not seen before")]
    public bool LegacyVerifyCold() => _signedUncached.TryRead(_legacyValue, out _) == CookieReadStatus.Valid;

    [Benchmark(Description = "Data Protection (format 1): write")]
    public string DataProtectionProtect() => _dataProtectionUncached.Protect(_record);

    [Benchmark(Description = "Data Protection (format 1): verify, not seen before")]
    public bool DataProtectionVerifyCold() => _dataProtectionUncached.TryRead(_dataProtectionValue, out _) == CookieReadStatus.Valid;
}
