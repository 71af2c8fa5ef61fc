using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace RazorPagesSample.Data;

/// <summary>
/// Where the sample keeps its data: an embedded SQLite file under App_Data by default, or
/// PostgreSQL for a web farm (<c>Database:Provider</c> = <c>PostgreSql</c>, with
/// <c>ConnectionStrings:Ledger</c>), whose instances then also share a Data Protection key ring
/// (<c>DataProtection:KeyDirectory</c>) so each accepts the others' cookies.
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
                builder.Services.AddDbContext<SampleDbContext>(db => db.UseSqlite(sqlite.ToString()));
                break;
            case "POSTGRESQL":
                if (string.IsNullOrEmpty(connectionString))
                {
                    throw new InvalidOperationException("Database:Provider is PostgreSql but ConnectionStrings:Ledger is not set.");
                }

                builder.Services.AddDbContext<SampleDbContext>(db => db.UseNpgsql(connectionString));
                break;
            default:
                throw new InvalidOperationException($"Database:Provider must be Sqlite or PostgreSql; it is '{provider}'.");
        }

        if (builder.Configuration["DataProtection:KeyDirectory"] is { Length: > 0 } keys)
        {
            builder.Services.AddDataProtection()
                .PersistKeysToFileSystem(new DirectoryInfo(keys))
                .SetApplicationName("FirstParty.RazorPagesSample");
        }
    }
}
