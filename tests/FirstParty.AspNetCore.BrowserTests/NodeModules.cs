namespace FirstParty.AspNetCore.BrowserTests;

/// <summary>Files the browser tests take from their npm packages (installed by scripts/test.sh with npm ci).</summary>
internal static class NodeModules
{
    public static string Find(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FirstParty.AspNetCore.BrowserTests.csproj")))
            {
                var file = Path.Combine(dir.FullName, "node_modules", relativePath);
                return File.Exists(file)
                    ? file
                    : throw new InvalidOperationException($"{file} is missing: run npm ci --prefix tests/FirstParty.AspNetCore.BrowserTests (scripts/test.sh does).");
            }
        }

        throw new InvalidOperationException("FirstParty.AspNetCore.BrowserTests.csproj not found above " + AppContext.BaseDirectory);
    }
}
