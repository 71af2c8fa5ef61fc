using System.Diagnostics;
using FirstParty.AspNetCore.Tests.TestUtils;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// wwwroot/firstparty.js is the esbuild output of Scripts/firstparty.js, not a file of its own: this
/// runs the pinned build (Scripts/build.mjs with Scripts/node_modules/esbuild) into a temporary file
/// and compares the bytes, so nobody edits one without the other.
/// </summary>
public sealed class FirstPartyScriptBuildTests
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task The_shipped_script_is_the_build_of_its_source()
    {
        var project = SourceTree.ProjectDirectory();
        var scripts = Path.Combine(project, "Scripts");
        var esbuild = Path.Combine(scripts, "node_modules", "esbuild", "package.json");
        Assert.True(
            File.Exists(esbuild),
            $"{esbuild} is missing: run npm ci --prefix src/FirstParty.AspNetCore/Scripts (scripts/test.sh does).");

        var output = Path.Combine(Path.GetTempPath(), $"firstparty-{Guid.NewGuid():N}.js");
        try
        {
            var (exitCode, log) = await RunNodeAsync(scripts, "build.mjs", output);
            Assert.True(exitCode == 0, $"node build.mjs failed with exit code {exitCode}: {log}");

            var built = await File.ReadAllBytesAsync(output);
            var shipped = await File.ReadAllBytesAsync(Path.Combine(project, "wwwroot", "firstparty.js"));
            Assert.True(
                built.AsSpan().SequenceEqual(shipped),
                $"src/FirstParty.AspNetCore/wwwroot/firstparty.js ({shipped.Length} bytes) is not the build of Scripts/firstparty.js "
                + $"({built.Length} bytes): edit Scripts/firstparty.js, run npm run build --prefix src/FirstParty.AspNetCore/Scripts and commit both.");
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static async Task<(int ExitCode, string Log)> RunNodeAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("node did not start.");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            // A missing toolchain is a failure, not a skip: the check would silently stop guarding.
            throw new InvalidOperationException(
                "node is not on PATH; the script build check needs Node.js (scripts/test.sh installs Debian's nodejs).", exception);
        }

        using (process)
        using (var timeout = new CancellationTokenSource(BuildTimeout))
        {
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"node build.mjs did not finish within {BuildTimeout}.");
            }

            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
