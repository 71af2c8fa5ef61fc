using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>
/// A real Data Protection system (XmlKeyManager, default algorithms) over an in-memory key
/// repository, for unit tests of the cookie formats and key ring.
/// </summary>
internal sealed class TestKeyRing : IDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="createKey">
    /// Adds an active key when the repository has none, as Data Protection's hosted service does when
    /// a host starts; false leaves the key ring empty.
    /// </param>
    public TestKeyRing(
        IXmlRepository? repository = null,
        string applicationName = "firstparty-tests",
        Action<IDataProtectionBuilder>? configure = null,
        bool createKey = true)
    {
        Repository = repository ?? new InMemoryXmlRepository();
        ApplicationName = applicationName;
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddDataProtection().SetApplicationName(applicationName);
        configure?.Invoke(builder);
        TestApp.UseInMemoryKeyRing(services, Repository);
        _services = services.BuildServiceProvider();
        Provider = _services.GetRequiredService<IDataProtectionProvider>();
        KeyManager = _services.GetRequiredService<IKeyManager>();
        if (createKey && KeyManager.GetAllKeys().Count == 0)
        {
            var now = DateTimeOffset.UtcNow;
            KeyManager.CreateNewKey(now.AddMinutes(-1), now.AddDays(90));
        }
    }

    public IXmlRepository Repository { get; }

    public string ApplicationName { get; }

    public IDataProtectionProvider Provider { get; }

    public IKeyManager KeyManager { get; }

    /// <summary>The parent protector VisitorTracker uses.</summary>
    public IDataProtector RootProtector => Provider.CreateProtector(CookieProtector.RootPurpose);

    public CookieKeyRing CreateKeyRing(TimeProvider? time = null) => new(KeyManager, Provider, ApplicationName, time ?? TimeProvider.System);

    /// <summary>A protector that signs (format 2) with this key ring.</summary>
    public CookieProtector CreateSigningProtector(string purpose, CookieKeyRing? keyRing = null)
        => new(RootProtector, keyRing ?? CreateKeyRing(), purpose);

    /// <summary>A protector that uses per-value Data Protection (format 1).</summary>
    public CookieProtector CreateDataProtectionProtector(string purpose)
        => new(RootProtector, CookieKeyRing.None, purpose);

    public void Dispose() => _services.Dispose();
}
