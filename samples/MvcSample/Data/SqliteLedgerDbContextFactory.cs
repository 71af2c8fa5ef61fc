using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MvcSample.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --context SqliteLedgerDbContext</c> build the model
/// without starting the app; the tool never connects to this file.
/// </summary>
internal sealed class SqliteLedgerDbContextFactory : IDesignTimeDbContextFactory<SqliteLedgerDbContext>
{
    public SqliteLedgerDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteLedgerDbContext>().UseSqlite("Data Source=App_Data/ledger.db").Options);
}
