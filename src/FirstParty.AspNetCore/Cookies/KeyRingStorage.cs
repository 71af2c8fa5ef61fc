using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Where the Data Protection key ring that signs FirstParty's cookies is kept, and whether it outlives
/// the process. Keys that die with the process make every visitor and consent cookie unreadable
/// after a restart or redeploy: every visitor looks new and sees the banner again.
/// </summary>
/// <remarks>
/// Judged from what the app configured, never by touching the store. What can be told: the
/// ephemeral provider, a repository that says it is in memory, no repository at all (then ASP.NET
/// Core picks a folder in the user profile, or keeps keys in memory when there is no profile), and
/// a container where that default folder goes with the container. What cannot: whether an explicit
/// folder is on a volume that survives, whether a custom repository is durable (assumed so unless
/// its type name says "Ephemeral" or "InMemory"), and whether a farm's instances share the store.
/// </remarks>
/// <param name="Persisted">Whether the keys are kept somewhere that survives the process.</param>
/// <param name="Repository">The key repository, as a short type description.</param>
/// <param name="Location">The folder of a file-system repository, when known.</param>
/// <param name="Description">What was found, in a sentence, for logs and the health check.</param>
internal sealed record KeyRingStorage(bool Persisted, string Repository, string? Location, string Description)
{
    private const string ContainerVariable = "DOTNET_RUNNING_IN_CONTAINER";

    /// <summary>Inspects the app's Data Protection set-up.</summary>
    /// <param name="provider">The registered provider, if any.</param>
    /// <param name="options">The key manager's options, if Data Protection is registered.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    public static KeyRingStorage Inspect(IDataProtectionProvider? provider, KeyManagementOptions? options, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (provider is EphemeralDataProtectionProvider)
        {
            return new(false, nameof(EphemeralDataProtectionProvider), null,
                "the app uses EphemeralDataProtectionProvider, whose keys live in memory only");
        }

        var repository = options?.XmlRepository;
        if (repository is null)
        {
            return InspectDefault(environment);
        }

        var name = Describe(repository.GetType());
        if (repository is FileSystemXmlRepository files)
        {
            // An explicit folder is taken as deliberate (a mounted volume, a shared drive): whether
            // it survives a redeploy cannot be seen from inside the process.
            return new(true, name, files.Directory.FullName, $"keys are kept in the folder {files.Directory.FullName}");
        }

        if (name.Contains("Ephemeral", StringComparison.OrdinalIgnoreCase) || name.Contains("InMemory", StringComparison.OrdinalIgnoreCase))
        {
            return new(false, name, null, $"the key repository {name} keeps keys in memory only");
        }

        return new(true, name, null, $"keys are kept by {name}");
    }

    /// <summary>What ASP.NET Core falls back to when no repository is configured.</summary>
    private static KeyRingStorage InspectDefault(Func<string, string?> environment)
    {
        const string Default = "default";
        var home = environment("HOME");
        if (!string.IsNullOrEmpty(environment("WEBSITE_INSTANCE_ID")) && !string.IsNullOrEmpty(home))
        {
            // Azure App Service: %HOME% is storage shared by the site's instances and kept across deployments.
            var folder = Path.Combine(home, "ASP.NET", "DataProtection-Keys");
            return new(true, Default, folder, $"no key repository is configured; on Azure App Service keys are kept in {folder}");
        }

        if (string.Equals(environment(ContainerVariable), "true", StringComparison.OrdinalIgnoreCase))
        {
            return new(false, Default, null,
                "no key repository is configured and the app runs in a container (DOTNET_RUNNING_IN_CONTAINER): the default key folder is inside the container and is lost with it");
        }

        var profile = environment("LOCALAPPDATA") is { Length: > 0 } localAppData
            ? Path.Combine(localAppData, "ASP.NET", "DataProtection-Keys")
            : home is { Length: > 0 } ? Path.Combine(home, ".aspnet", "DataProtection-Keys") : null;
        if (profile is null)
        {
            return new(false, Default, null,
                "no key repository is configured and there is no user profile folder: ASP.NET Core keeps the keys in memory");
        }

        return new(true, Default, profile, $"no key repository is configured; keys are kept in the user profile folder {profile}, on this machine only");
    }

    private static string Describe(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(static t => t.Name))}>";
    }
}
