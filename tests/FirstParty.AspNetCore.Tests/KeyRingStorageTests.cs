using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace FirstParty.AspNetCore.Tests;

/// <summary>When is the Data Protection key ring judged to outlive the process?</summary>
public sealed class KeyRingStorageTests
{
    private static readonly Dictionary<string, string> Desktop = new() { ["HOME"] = "/home/site" };

    private static Func<string, string?> Environment(Dictionary<string, string> variables)
        => name => variables.GetValueOrDefault(name);

    [Fact]
    public void The_ephemeral_provider_is_not_persisted()
    {
        var storage = KeyRingStorage.Inspect(new EphemeralDataProtectionProvider(), new KeyManagementOptions(), Environment(Desktop));

        Assert.False(storage.Persisted);
        Assert.Equal("EphemeralDataProtectionProvider", storage.Repository);
        Assert.Contains("memory", storage.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void An_in_memory_repository_is_not_persisted()
    {
        var options = new KeyManagementOptions { XmlRepository = new InMemoryXmlRepository() };

        var storage = KeyRingStorage.Inspect(null, options, Environment(Desktop));

        Assert.False(storage.Persisted);
        Assert.Equal(nameof(InMemoryXmlRepository), storage.Repository);
    }

    [Fact]
    public void A_folder_is_persisted_even_in_a_container()
    {
        var folder = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "firstparty-keys-" + Guid.NewGuid().ToString("N")));
        try
        {
            var options = new KeyManagementOptions { XmlRepository = new FileSystemXmlRepository(folder, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance) };

            var storage = KeyRingStorage.Inspect(null, options, Environment(new() { ["DOTNET_RUNNING_IN_CONTAINER"] = "true" }));

            Assert.True(storage.Persisted);
            Assert.Equal(nameof(FileSystemXmlRepository), storage.Repository);
            Assert.Equal(folder.FullName, storage.Location);
        }
        finally
        {
            if (folder.Exists)
            {
                folder.Delete(recursive: true);
            }
        }
    }

    [Fact]
    public void Another_repository_is_taken_as_persisted_and_named_with_its_type_arguments()
    {
        var options = new KeyManagementOptions { XmlRepository = new TableRepository<Receipts>() };

        var storage = KeyRingStorage.Inspect(null, options, Environment(new() { ["DOTNET_RUNNING_IN_CONTAINER"] = "true" }));

        Assert.True(storage.Persisted);
        Assert.Equal("TableRepository<Receipts>", storage.Repository);
        Assert.Null(storage.Location);
    }

    [Fact]
    public void Nothing_configured_in_a_container_is_not_persisted()
    {
        var storage = KeyRingStorage.Inspect(null, new KeyManagementOptions(), Environment(new() { ["HOME"] = "/app", ["DOTNET_RUNNING_IN_CONTAINER"] = "true" }));

        Assert.False(storage.Persisted);
        Assert.Equal("default", storage.Repository);
        Assert.Contains("container", storage.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_configured_outside_a_container_is_the_profile_folder()
    {
        var storage = KeyRingStorage.Inspect(null, new KeyManagementOptions(), Environment(new() { ["HOME"] = "/home/site", ["DOTNET_RUNNING_IN_CONTAINER"] = "false" }));

        Assert.True(storage.Persisted);
        Assert.Equal(Path.Combine("/home/site", ".aspnet", "DataProtection-Keys"), storage.Location);
    }

    [Fact]
    public void Nothing_configured_without_a_profile_is_in_memory()
    {
        var storage = KeyRingStorage.Inspect(null, new KeyManagementOptions(), Environment([]));

        Assert.False(storage.Persisted);
    }

    [Fact]
    public void Nothing_configured_on_azure_app_service_is_the_shared_home_folder_even_in_a_container()
    {
        var storage = KeyRingStorage.Inspect(null, null, Environment(new()
        {
            ["HOME"] = "/home",
            ["WEBSITE_INSTANCE_ID"] = "abc",
            ["DOTNET_RUNNING_IN_CONTAINER"] = "true",
        }));

        Assert.True(storage.Persisted);
        Assert.Equal(Path.Combine("/home", "ASP.NET", "DataProtection-Keys"), storage.Location);
    }

    private sealed class Receipts;

    private sealed class TableRepository<T> : IXmlRepository
    {
        public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements() => [];

        public void StoreElement(System.Xml.Linq.XElement element, string friendlyName)
        {
        }
    }
}
