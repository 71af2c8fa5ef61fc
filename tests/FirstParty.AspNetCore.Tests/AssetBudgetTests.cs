using System.IO.Compression;

namespace FirstParty.AspNetCore.Tests;

/// <summary>
/// The shipped script and stylesheet stay small (each at most 3 KB gzipped, against about 10 KB + 5 KB
/// for vanilla-cookieconsent) and stay compatible with a strict Content-Security-Policy.
/// </summary>
public sealed class AssetBudgetTests
{
    private const int BudgetBytes = 3 * 1024;

    [Theory]
    [InlineData("firstparty.js")]
    [InlineData("firstparty.css")]
    public void The_asset_fits_its_gzip_budget(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(WebRoot(), file));
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        Assert.True(bytes.Length > 1000, $"{file} is suspiciously small ({bytes.Length} bytes)");
        Assert.True(compressed.Length <= BudgetBytes, $"{file} is {compressed.Length} bytes gzipped; the budget is {BudgetBytes}.");
    }

    [Theory]
    [InlineData("eval(")]
    [InlineData("new Function")]
    [InlineData("innerHTML")]
    [InlineData("setAttribute('style'")]
    [InlineData(".style.")]
    [InlineData("document.write")]
    public void The_script_needs_nothing_a_strict_policy_forbids(string construct)
    {
        var script = File.ReadAllText(Path.Combine(WebRoot(), "firstparty.js"));

        Assert.DoesNotContain(construct, script, StringComparison.Ordinal);
    }

    [Fact]
    public void The_stylesheet_loads_nothing_from_elsewhere()
    {
        var css = File.ReadAllText(Path.Combine(WebRoot(), "firstparty.css"));

        Assert.DoesNotContain("@import", css, StringComparison.Ordinal);
        Assert.DoesNotContain("url(", css, StringComparison.Ordinal);
        Assert.Contains("prefers-color-scheme: dark", css, StringComparison.Ordinal);
        Assert.Contains("prefers-reduced-motion", css, StringComparison.Ordinal);
    }

    private static string WebRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "src", "FirstParty.AspNetCore", "wwwroot");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("src/FirstParty.AspNetCore/wwwroot was not found above the test output directory.");
    }
}
