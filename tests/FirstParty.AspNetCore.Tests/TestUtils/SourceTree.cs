namespace FirstParty.AspNetCore.Tests.TestUtils;

/// <summary>The repository's sources, for tests that check the code itself (the folder map, the script build).</summary>
internal static class SourceTree
{
    /// <summary>src/FirstParty.AspNetCore, found above the test output directory.</summary>
    public static string ProjectDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "FirstParty.AspNetCore");
            if (File.Exists(Path.Combine(candidate, "FirstParty.AspNetCore.csproj")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/FirstParty.AspNetCore was not found above the test output directory.");
    }
}
