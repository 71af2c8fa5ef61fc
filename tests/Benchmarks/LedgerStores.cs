using FirstParty.AspNetCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Benchmarks;

/// <summary>The stores the ledger benchmarks run against: a fresh SQLite file, or a fresh database on the PostgreSQL server named by PGHOST/PGPORT/PGUSER/PGPASSWORD (run under <c>pg_virtualenv</c>).</summary>
internal static class LedgerStores
{
    public static void Add(IFirstPartyBuilder builder, string store)
    {
        switch (store)
        {
            case "InMemory":
                break;
            case "Sqlite":
                var folder = Path.Combine(Path.GetTempPath(), "firstparty-benchmarks", Guid.NewGuid().ToString("N"));
                Directory.CreateDirectory(folder);
                builder.AddEntityFrameworkCoreLedger(db => db.UseSqlite($"Data Source={Path.Combine(folder, "ledger.db")}"), o => o.EnsureCreated = true);
                break;
            case "PostgreSql":
                // Once: the options callback runs for every context.
                var connectionString = CreatePostgresDatabase();
                builder.AddEntityFrameworkCoreLedger(db => db.UseNpgsql(connectionString), o => o.EnsureCreated = true);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(store), store, "InMemory, Sqlite or PostgreSql.");
        }
    }

    public static async Task PrepareAsync(IServiceProvider services)
    {
        // Create the schema and warm the connection before anything is measured.
        await services.GetRequiredService<IConsentLedger>().IsReachableAsync();
    }

    private static string CreatePostgresDatabase()
    {
        var server = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = int.Parse(Environment.GetEnvironmentVariable("PGPORT") ?? throw new InvalidOperationException("Run the PostgreSQL benchmarks under pg_virtualenv (PGPORT is not set)."), System.Globalization.CultureInfo.InvariantCulture),
            Username = Environment.GetEnvironmentVariable("PGUSER"),
            Password = Environment.GetEnvironmentVariable("PGPASSWORD"),
            Database = "postgres",
        };
        var name = "fp_bench_" + Guid.NewGuid().ToString("N");
        using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            connection.Open();
            using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            command.ExecuteNonQuery();
        }

        server.Database = name;
        return server.ConnectionString;
    }
}
