using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace BlazorSample.Data;

/// <summary>
/// Where the sample keeps its data: an SQLite file under App_Data (<c>ConnectionStrings:Ledger</c>),
/// holding the consent ledger and the Data Protection keys under one application name, so a restarted
/// sample accepts the cookies it handed out before.
/// </summary>
internal static class SampleDatabase
{
    public static void Configure(WebApplicationBuilder builder)
    {
        var sqlite = new SqliteConnectionStringBuilder(builder.Configuration.GetConnectionString("Ledger") ?? "Data Source=App_Data/ledger.db");
        if (!Path.IsPathRooted(sqlite.DataSource))
        {
            sqlite.DataSource = Path.Combine(builder.Environment.ContentRootPath, sqlite.DataSource);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(sqlite.DataSource)!);
        builder.Services.AddDbContext<SampleDbContext>(db => db.UseSqlite(sqlite.ToString()));
        builder.Services.AddDataProtection().SetApplicationName("FirstParty.BlazorSample").PersistKeysToDbContext<SampleDbContext>();
    }
}
