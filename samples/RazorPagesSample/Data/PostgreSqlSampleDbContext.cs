using Microsoft.EntityFrameworkCore;

namespace RazorPagesSample.Data;

/// <summary>The sample's database on PostgreSQL, with its migrations under Migrations/PostgreSql.</summary>
public sealed class PostgreSqlSampleDbContext(DbContextOptions<PostgreSqlSampleDbContext> options) : SampleDbContext(options);
