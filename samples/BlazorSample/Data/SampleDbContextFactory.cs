using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace BlazorSample.Data;

/// <summary>
/// Lets <c>dotnet ef migrations add &lt;Name&gt; --project samples/BlazorSample</c> build the model
/// without starting the app; the tool never connects to this file.
/// </summary>
internal sealed class SampleDbContextFactory : IDesignTimeDbContextFactory<SampleDbContext>
{
    public SampleDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SampleDbContext>().UseSqlite("Data Source=App_Data/ledger.db").Options);
}
