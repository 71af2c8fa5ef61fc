using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace FirstParty.AspNetCore.TestSupport;

/// <summary>
/// The samples keep their consent ledger in App_Data/ledger.db (and the collector its spill files
/// under App_Data); tests must neither write into the
/// developer's copy nor let two hosts of one run share a file (one host's receipts, spill files or
/// schema creation would show up in, or race with, another's). Linked into each test project that
/// hosts the samples.
/// </summary>
internal static class SampleDatabaseIsolation
{
    private static readonly string Root = Path.Combine(
        Path.GetTempPath(), "firstparty-tests", $"{typeof(SampleDatabaseIsolation).Assembly.GetName().Name}-{Environment.ProcessId}");

    /// <summary>
    /// A last resort for a host built without <see cref="SampleFactory{TEntryPoint}"/>: it still
    /// stays out of the samples' App_Data. Environment variables reach every host this process
    /// builds; the per-host settings below override them.
    /// </summary>
    [ModuleInitializer]
    internal static void UseTemporaryLedger()
    {
        var folder = Path.Combine(Root, "unisolated");
        Directory.CreateDirectory(folder);
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", $"Data Source={Path.Combine(folder, "ledger.db")}");
        Environment.SetEnvironmentVariable("FirstParty__Ledger__SpillDirectory", Path.Combine(folder, "spill"));
        Environment.SetEnvironmentVariable("FirstParty__Collector__SpillDirectory", Path.Combine(folder, "collector"));
    }

    /// <summary>
    /// Points the host being built at a ledger file and spill folders (the ledger's and the
    /// collector's) nobody else uses. Settings given with <see cref="IWebHostBuilder.UseSetting"/>
    /// reach a minimal-hosting Program as command-line arguments, so they are seen even where
    /// Program reads the connection string before <c>Build()</c>.
    /// </summary>
    /// <returns>The folder holding this host's ledger and spill files.</returns>
    public static string UseOwnLedger(IWebHostBuilder builder)
    {
        var folder = Path.Combine(Root, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        builder.UseSetting("ConnectionStrings:Ledger", $"Data Source={LedgerFile(folder)}");
        builder.UseSetting("FirstParty:Ledger:SpillDirectory", Path.Combine(folder, "spill"));

        // The collector's spill files too: another host adopts orphan files as its own and replays them.
        builder.UseSetting("FirstParty:Collector:SpillDirectory", Path.Combine(folder, "collector"));
        return folder;
    }

    public static string LedgerFile(string folder) => Path.Combine(folder, "ledger.db");
}

/// <summary>
/// A sample host whose ledger (SQLite file and spill folder) is its own: every host it builds,
/// including those of <see cref="WebApplicationFactory{TEntryPoint}.WithWebHostBuilder"/>, gets a
/// fresh folder, removed when the factory is disposed.
/// </summary>
public class SampleFactory<TEntryPoint> : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    private readonly ConcurrentQueue<string> _folders = new();

    /// <summary>The ledger file of the most recently built host.</summary>
    public string LedgerFile => SampleDatabaseIsolation.LedgerFile(_folders.Last());

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        _folders.Enqueue(SampleDatabaseIsolation.UseOwnLedger(builder));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        foreach (var folder in _folders)
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A file still open (a spill file being flushed) only leaves litter in the temp folder.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        GC.SuppressFinalize(this);
    }
}
