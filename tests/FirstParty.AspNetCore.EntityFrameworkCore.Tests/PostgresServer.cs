using System.Diagnostics;
using Npgsql;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// The throwaway PostgreSQL cluster that <c>scripts/test.sh</c> runs these tests in
/// (<c>pg_virtualenv</c>: it exports PGHOST, PGPORT, PGUSER, PGPASSWORD and PGVERSION, and names
/// the cluster "regress"). Without it the PostgreSQL tests fail with a message saying so; they are
/// never skipped.
/// </summary>
internal static class PostgresServer
{
    private const string Cluster = "regress";

    public static string ConnectionString(string database = "postgres")
    {
        var port = Environment.GetEnvironmentVariable("PGPORT");
        var user = Environment.GetEnvironmentVariable("PGUSER");
        var password = Environment.GetEnvironmentVariable("PGPASSWORD");
        if (string.IsNullOrEmpty(port) || string.IsNullOrEmpty(user))
        {
            throw new InvalidOperationException(
                "No PostgreSQL server: run these tests through scripts/test.sh, or as `pg_virtualenv dotnet test tests/FirstParty.AspNetCore.EntityFrameworkCore.Tests` (Debian's postgresql package).");
        }

        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = int.Parse(port, System.Globalization.CultureInfo.InvariantCulture),
            Username = user,
            Password = password,
            Database = database,
            // Fail fast while the server is deliberately stopped.
            Timeout = 3,
            Pooling = true,
        }.ConnectionString;
    }

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 63)].ToLowerInvariant();
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    public static Task StopAsync() => ControlAsync("stop");

    public static Task StartAsync() => ControlAsync("start");

    private static async Task ControlAsync(string action)
    {
        var version = Environment.GetEnvironmentVariable("PGVERSION")
            ?? throw new InvalidOperationException("PGVERSION is not set: run under pg_virtualenv to stop and start the server.");
        string[] arguments = action == "stop" ? ["--mode", "fast", version, Cluster, action] : [version, Cluster, action];
        using var process = Process.Start(new ProcessStartInfo("pg_ctlcluster", arguments)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pg_ctlcluster {action} failed: {await process.StandardError.ReadToEndAsync()}");
        }

        NpgsqlConnection.ClearAllPools();
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PostgresCollection
{
    /// <summary>Tests that use the server run one at a time: one of them stops it.</summary>
    public const string Name = "postgres";
}
