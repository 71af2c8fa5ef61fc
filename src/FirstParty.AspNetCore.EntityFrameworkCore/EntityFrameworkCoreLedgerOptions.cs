namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>Options of the EF Core consent ledger.</summary>
public sealed class EntityFrameworkCoreLedgerOptions
{
    /// <summary>
    /// Creates the database and its tables at startup when they do not exist
    /// (<c>Database.EnsureCreated</c>): for prototypes. It never upgrades a database made by an earlier
    /// version; use <see cref="MigrateAtStartup"/> for anything that keeps its data. Default false.
    /// </summary>
    public bool EnsureCreated { get; set; }

    /// <summary>
    /// Applies the context's pending EF Core migrations at startup (<c>Database.Migrate</c>). A
    /// database created earlier by <see cref="EnsureCreated"/> (no migrations history) is first
    /// marked as holding the migrations whose tables it already has, then upgraded. A database that
    /// is down at startup does not stop the app: receipts wait in the spill file and the store tries
    /// again. For one instance or a small farm; a larger farm applies migrations once per deployment
    /// instead. Default false; not together with <see cref="EnsureCreated"/>.
    /// </summary>
    public bool MigrateAtStartup { get; set; }
}
