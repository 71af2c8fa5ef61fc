using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>The EF Core store's log events (ids 100 and up belong to this package).</summary>
internal static partial class LedgerStoreLog
{
    [LoggerMessage(102, LogLevel.Error, "The consent ledger's table " + ErasureTombstoneEntityConfiguration.TableName + " does not exist (the database was created by an earlier schema): receipts and erasures wait in the spill file until it is created; apply the migrations, or delete the embedded database so it is created again.", EventName = "TombstoneTableMissing")]
    public static partial void TombstoneTableMissing(this ILogger logger, Exception exception);

    [LoggerMessage(103, LogLevel.Information, "Erased {Count} receipts on arrival: their subject was erased after they were made.", EventName = "LateReceiptsErased")]
    public static partial void LateReceiptsErased(this ILogger logger, int count);

    [LoggerMessage(104, LogLevel.Warning, "The consent ledger's database was created without migrations (EnsureCreated); it is marked as holding the migrations whose tables it already has: {Migrations}.", EventName = "LedgerDatabaseBaselined")]
    public static partial void LedgerDatabaseBaselined(this ILogger logger, string migrations);

    [LoggerMessage(105, LogLevel.Information, "Applied {Count} migrations to the consent ledger's database: {Migrations}.", EventName = "LedgerMigrationsApplied")]
    public static partial void LedgerMigrationsApplied(this ILogger logger, int count, string migrations);
}
