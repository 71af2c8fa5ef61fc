using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace RazorPagesSample.Data;

/// <summary>
/// Where the sample keeps its data: an embedded SQLite file under App_Data by default, or
/// PostgreSQL for a web farm (<c>Database:Provider</c> = <c>PostgreSql</c>, with
/// <c>ConnectionStrings:Ledger</c>), each with its own migrations, applied at startup. The Data Protection keys that sign the cookies live in the same
/// database, under one application name, so a restarted instance and every other instance accept the
/// cookies already handed out; <c>DataProtection:KeyDirectory</c> keeps them in a folder instead.
/// </summary>
internal static class SampleDatabase
{
    public static void Configure(WebApplicationBuilder builder)
    {
        var provider = builder.Configuration["Database:Provider"] ?? "Sqlite";
        var connectionString = builder.Configuration.GetConnectionString("Ledger");
        switch (provider.ToUpperInvariant())
        {
            case "SQLITE":
                var sqlite = new SqliteConnectionStringBuilder(connectionString ?? "Data Source=App_Data/ledger.db");
                if (!Path.IsPathRooted(sqlite.DataSource))
                {
                    sqlite.DataSource = Path.Combine(builder.Environment.ContentRootPath, sqlite.DataSource);
                }

                Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
                builder.Services.AddDbContext<SampleDbContext, SqliteSampleDbContext>(db => db.UseSqlite(sqlite.ToString()));
                break;
            case "POSTGRESQL":
                if (string.IsNullOrEmpty(connectionString))
                {
                    throw new InvalidOperationException("Database:Provider is PostgreSql but ConnectionStrings:Ledger is not set.");
                }

                builder.Services.AddDbContext<SampleDbContext, PostgreSqlSampleDbContext>(db => db.UseNpgsql(connectionString));
                break;
            default:
                throw new InvalidOperationException($"Database:Provider must be Sqlite or PostgreSql; it is '{provider}'.");
        }

        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("FirstParty.RazorPagesSample");
        if (builder.Configuration["DataProtection:KeyDirectory"] is { Length: > 0 } keys)
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        }
        else
        {
            dataProtection.PersistKeysToDbContext<SampleDbContext>();
        }
    }
}
