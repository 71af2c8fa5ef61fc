using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace RazorPagesSample.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --context SqliteSampleDbContext</c> build the model
/// without starting the app; the tool never connects to this file.
/// </summary>
internal sealed class SqliteSampleDbContextFactory : IDesignTimeDbContextFactory<SqliteSampleDbContext>
{
    public SqliteSampleDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteSampleDbContext>().UseSqlite("Data Source=App_Data/ledger.db").Options);
}
