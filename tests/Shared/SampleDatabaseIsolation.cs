using System.Runtime.CompilerServices;

namespace FirstParty.AspNetCore.TestSupport;

/// <summary>
/// The samples keep their consent ledger in App_Data/ledger.db; tests must neither write into the
/// developer's copy nor share one file between runs. Environment variables reach every sample host
/// this process builds (WebApplication reads them into configuration). Linked into each test
/// project that hosts the samples.
/// </summary>
internal static class SampleDatabaseIsolation
{
    [ModuleInitializer]
    internal static void UseTemporaryLedger()
    {
        var project = typeof(SampleDatabaseIsolation).Assembly.GetName().Name;
        var folder = Path.Combine(Path.GetTempPath(), "firstparty-tests", $"{project}-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        Environment.SetEnvironmentVariable("ConnectionStrings__Ledger", $"Data Source={Path.Combine(folder, "ledger.db")}");
        Environment.SetEnvironmentVariable("FirstParty__Ledger__SpillDirectory", Path.Combine(folder, "spill"));
    }
}
