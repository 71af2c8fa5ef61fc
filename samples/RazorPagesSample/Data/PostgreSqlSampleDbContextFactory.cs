using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace RazorPagesSample.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --context PostgreSqlSampleDbContext</c> build the model
/// without a server; the tool never connects to it.
/// </summary>
internal sealed class PostgreSqlSampleDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlSampleDbContext>
{
    public PostgreSqlSampleDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgreSqlSampleDbContext>().UseNpgsql("Host=localhost;Database=firstparty_sample").Options);
}
