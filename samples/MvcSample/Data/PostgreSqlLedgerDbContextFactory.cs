using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MvcSample.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --context PostgreSqlLedgerDbContext</c> build the model
/// without a server; the tool never connects to it.
/// </summary>
internal sealed class PostgreSqlLedgerDbContextFactory : IDesignTimeDbContextFactory<PostgreSqlLedgerDbContext>
{
    public PostgreSqlLedgerDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgreSqlLedgerDbContext>().UseNpgsql("Host=localhost;Database=firstparty_ledger").Options);
}
