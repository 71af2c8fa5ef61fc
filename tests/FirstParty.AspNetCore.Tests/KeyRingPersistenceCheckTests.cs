using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The startup warning when the key ring dies with the process (event 45).</summary>
public sealed class KeyRingPersistenceCheckTests
{
    private const int NotPersisted = 45;
    private const int Persisted = 46;

    [Fact]
    public async Task An_in_memory_key_ring_is_warned_about_once_at_startup()
    {
        // TestApp keeps the key ring in an in-memory repository.
        await using var app = await TestApp.StartAsync();
        await app.NavigateAsync();
        await app.NavigateAsync();

        var warning = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == NotPersisted);
        Assert.Equal("KeyRingNotPersisted", warning.Id.Name);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("InMemoryXmlRepository", warning.Message, StringComparison.Ordinal);
        Assert.Contains("PersistKeysToDbContext", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Id == Persisted);
    }

    [Fact]
    public async Task A_key_folder_is_not_warned_about()
    {
        var folder = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "firstparty-keys-" + Guid.NewGuid().ToString("N")));
        try
        {
            await using (var app = await TestApp.StartAsync(o => o.ConfigureDataProtection = dp => dp.PersistKeysToFileSystem(folder)))
            {
                Assert.DoesNotContain(app.Logs.GetSnapshot(), r => r.Id.Id == NotPersisted);
                var found = Assert.Single(app.Logs.GetSnapshot(), r => r.Id.Id == Persisted);
                Assert.Equal(LogLevel.Debug, found.Level);
                Assert.Contains(folder.FullName, found.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            if (folder.Exists)
            {
                folder.Delete(recursive: true);
            }
        }
    }
}
