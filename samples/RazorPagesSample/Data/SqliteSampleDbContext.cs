using Microsoft.EntityFrameworkCore;

namespace RazorPagesSample.Data;

/// <summary>The sample's database on SQLite, with its migrations under Migrations/Sqlite.</summary>
public sealed class SqliteSampleDbContext(DbContextOptions<SqliteSampleDbContext> options) : SampleDbContext(options);
