using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RazorPagesSample.Data;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>The migrations match the model; the options that choose between EnsureCreated and migrations.</summary>
public sealed class MigrationTests
{
    [Fact]
    public void The_sample_model_has_no_change_missing_from_its_SQLite_migrations()
    {
        using var context = new SqliteSampleDbContext(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=:memory:").Options);

        Assert.NotEmpty(context.Database.GetMigrations());
        Assert.False(context.Database.HasPendingModelChanges(), "Run dotnet ef migrations add --context SqliteSampleDbContext.");
    }

    [Fact]
    public void The_sample_model_has_no_change_missing_from_its_PostgreSQL_migrations()
    {
        using var context = new PostgreSqlSampleDbContext(new DbContextOptionsBuilder<PostgreSqlSampleDbContext>().UseNpgsql("Host=localhost").Options);

        Assert.NotEmpty(context.Database.GetMigrations());
        Assert.False(context.Database.HasPendingModelChanges(), "Run dotnet ef migrations add --context PostgreSqlSampleDbContext.");
    }

    [Fact]
    public void EnsureCreated_and_MigrateAtStartup_together_fail_at_startup_naming_both()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFirstParty().AddEntityFrameworkCoreLedger(db => db.UseSqlite("Data Source=:memory:"), o =>
        {
            o.EnsureCreated = true;
            o.MigrateAtStartup = true;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<EntityFrameworkCoreLedgerOptions>>().Value);
        Assert.Contains("EnsureCreated", error.Message, StringComparison.Ordinal);
        Assert.Contains("MigrateAtStartup", error.Message, StringComparison.Ordinal);
    }
}
