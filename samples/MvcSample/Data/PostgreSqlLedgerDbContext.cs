using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MvcSample.Data;

/// <summary>The ready-made ledger context on PostgreSQL, with its migrations under Migrations/PostgreSql.</summary>
public sealed class PostgreSqlLedgerDbContext(DbContextOptions<PostgreSqlLedgerDbContext> options) : ConsentLedgerDbContext(options);
