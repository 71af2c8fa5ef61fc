using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MvcSample.Data;

/// <summary>
/// The ready-made ledger context on SQLite. Migrations are provider-specific, so each provider gets
/// a derived context with its own (Migrations/Sqlite here); the app still resolves
/// <see cref="ConsentLedgerDbContext"/>.
/// </summary>
public sealed class SqliteLedgerDbContext(DbContextOptions<SqliteLedgerDbContext> options) : ConsentLedgerDbContext(options);
