namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>Options of the EF Core consent ledger.</summary>
public sealed class EntityFrameworkCoreLedgerOptions
{
    /// <summary>
    /// Creates the database and its tables at startup when they do not exist
    /// (<c>Database.EnsureCreated</c>): for an embedded SQLite file or a ledger-only database. Leave
    /// it off when the app applies migrations. Default false.
    /// </summary>
    public bool EnsureCreated { get; set; }
}
