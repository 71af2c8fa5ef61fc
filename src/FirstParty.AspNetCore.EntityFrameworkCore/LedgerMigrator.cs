using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.EntityFrameworkCore.Migrations.Operations;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// Applies the context's migrations, first adopting a database that <c>EnsureCreated</c> made: it
/// has the tables but no migrations history, so <c>Migrate</c> alone would try to create them again
/// and fail. Such a database is marked as holding every leading migration whose tables all exist
/// (the receipts-only schema of earlier versions holds the first), and the rest are applied.
/// </summary>
internal static class LedgerMigrator
{
    public static async Task MigrateAsync(DbContext context, ILogger logger, CancellationToken cancellationToken)
    {
        await BaselineAsync(context, logger, cancellationToken).ConfigureAwait(false);
        var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        logger.LedgerMigrationsApplied(pending.Count, string.Join(", ", pending));
    }

    private static async Task BaselineAsync(DbContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var history = context.GetService<IHistoryRepository>();
        // Looked up here rather than with IHistoryRepository.Exists, which a provider may answer
        // from what it saw earlier in the process.
        var relational = context.GetService<IDbContextOptions>().FindExtension<RelationalOptionsExtension>();
        var historyTable = relational?.MigrationsHistoryTableName ?? HistoryRepository.DefaultTableName;
        if (await TableExistsAsync(context, historyTable, relational?.MigrationsHistoryTableSchema, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        // No receipts table: a new database, which the migrations create from the start.
        var receipts = context.Model.FindEntityType(typeof(ConsentReceiptEntity));
        if (receipts?.GetTableName() is not { } receiptsTable
            || !await TableExistsAsync(context, receiptsTable, receipts.GetSchema(), cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var migrations = context.GetService<IMigrationsAssembly>();
        var provider = context.Database.ProviderName!;
        var adopted = new List<string>();
        foreach (var (id, type) in migrations.Migrations)
        {
            var tables = migrations.CreateMigration(type, provider).UpOperations.OfType<CreateTableOperation>().ToList();
            if (tables.Count == 0 || !await AllExistAsync(context, tables, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            adopted.Add(id);
        }

        if (adopted.Count == 0)
        {
            return;
        }

        var version = ProductInfo.GetVersion();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await context.Database.ExecuteSqlRawAsync(history.GetCreateIfNotExistsScript(), cancellationToken).ConfigureAwait(false);
        foreach (var id in adopted)
        {
            await context.Database.ExecuteSqlRawAsync(history.GetInsertScript(new HistoryRow(id, version)), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        logger.LedgerDatabaseBaselined(string.Join(", ", adopted));
    }

    private static async Task<bool> AllExistAsync(DbContext context, List<CreateTableOperation> tables, CancellationToken cancellationToken)
    {
        foreach (var table in tables)
        {
            if (!await TableExistsAsync(context, table.Name, table.Schema, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }

        return true;
    }

    [SuppressMessage("Security", "CA2100:Review SQL queries for security vulnerabilities", Justification = "The table name comes from the EF Core model and is delimited by the provider.")]
    private static async Task<bool> TableExistsAsync(DbContext context, string table, string? schema, CancellationToken cancellationToken)
    {
        // A query that reads no row works on every relational provider, unlike their catalogues.
        var name = context.GetService<ISqlGenerationHelper>().DelimitIdentifier(table, schema);
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = context.Database.GetDbConnection().CreateCommand();
            command.CommandText = $"SELECT 1 FROM {name} WHERE 1 = 0";
            try
            {
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbException)
            {
                return false;
            }
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }
}
