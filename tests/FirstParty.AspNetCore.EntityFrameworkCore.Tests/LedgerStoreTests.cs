using FirstParty.AspNetCore.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>The EF Core store, run against a real SQLite file and a real PostgreSQL server.</summary>
public abstract class LedgerStoreTests : IAsyncLifetime
{
    private ServiceProvider? _services;

    protected IConsentLedger Ledger { get; private set; } = null!;

    protected abstract Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        var database = await CreateDatabaseAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFirstParty().AddEntityFrameworkCoreLedger(database, o => o.EnsureCreated = true);
        _services = services.BuildServiceProvider();
        Ledger = _services.GetRequiredService<IConsentLedger>();
    }

    public async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    protected T Resolve<T>() where T : notnull => _services!.GetRequiredService<T>();

    [Fact]
    public async Task A_receipt_round_trips_every_field()
    {
        var receipt = Receipts.Create("c1", visitorId: "v1", userId: "u1");

        await Ledger.AppendAsync([receipt]);
        var found = Assert.Single(await Ledger.FindAsync(ReceiptSubject.Consent("c1")));

        Assert.Equal(receipt.ReceiptId, found.ReceiptId);
        Assert.Equal(receipt.Timestamp, found.Timestamp);
        Assert.Equal(receipt.ExpiresAt, found.ExpiresAt);
        Assert.Equal(receipt.Granted, found.Granted);
        Assert.Equal(receipt.Denied, found.Denied);
        Assert.Equal(receipt with { Granted = found.Granted, Denied = found.Denied }, found);
    }

    [Fact]
    public async Task Appending_the_same_receipt_again_writes_it_once()
    {
        var receipt = Receipts.Create("c1");
        var other = Receipts.Create("c1", minute: 1);

        await Ledger.AppendAsync([receipt]);
        await Ledger.AppendAsync([receipt, other, other]);

        var found = await Ledger.FindAsync(ReceiptSubject.Consent("c1"));
        Assert.Equal([receipt.ReceiptId, other.ReceiptId], found.Select(r => r.ReceiptId));
    }

    [Fact]
    public async Task Receipts_are_found_by_consent_visitor_and_user_id_oldest_first()
    {
        var late = Receipts.Create("c1", minute: 5, visitorId: "v1", userId: "u1");
        var early = Receipts.Create("c1", minute: 1, visitorId: "v1");
        var otherBrowser = Receipts.Create("c2", minute: 3, visitorId: "v2", userId: "u1");
        await Ledger.AppendAsync([late, early, otherBrowser]);

        Assert.Equal([early.ReceiptId, late.ReceiptId], (await Ledger.FindAsync(ReceiptSubject.Consent("c1"))).Select(r => r.ReceiptId));
        Assert.Equal([early.ReceiptId, late.ReceiptId], (await Ledger.FindAsync(ReceiptSubject.Visitor("v1"))).Select(r => r.ReceiptId));
        Assert.Equal([otherBrowser.ReceiptId, late.ReceiptId], (await Ledger.FindAsync(ReceiptSubject.User("u1"))).Select(r => r.ReceiptId));
        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.User("nobody")));
    }

    [Fact]
    public async Task Erase_deletes_only_the_subjects_receipts()
    {
        await Ledger.AppendAsync([Receipts.Create("c1", visitorId: "v1"), Receipts.Create("c1", minute: 1), Receipts.Create("c2", visitorId: "v2")]);

        Assert.Equal(2, await Ledger.EraseAsync(ReceiptSubject.Consent("c1"), ReceiptErasure.Delete));

        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.Consent("c1")));
        Assert.Single(await Ledger.FindAsync(ReceiptSubject.Consent("c2")));
    }

    [Fact]
    public async Task Pseudonymise_keeps_the_proof_but_not_the_person()
    {
        var first = Receipts.Create("c1", visitorId: "v1", userId: "u1");
        var second = Receipts.Create("c1", minute: 1, visitorId: "v1", userId: "u1");
        var untouched = Receipts.Create("c2", visitorId: "v2", userId: "u2");
        await Ledger.AppendAsync([first, second, untouched]);

        Assert.Equal(2, await Ledger.EraseAsync(ReceiptSubject.User("u1"), ReceiptErasure.Pseudonymise));

        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.Consent("c1")));
        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.Visitor("v1")));
        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.User("u1")));
        Assert.Single(await Ledger.FindAsync(ReceiptSubject.User("u2")));

        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>().ConsentReceipts
            .Where(e => e.ReceiptId == first.ReceiptId || e.ReceiptId == second.ReceiptId)
            .ToListAsync();
        Assert.Equal(2, rows.Count);
        var pseudonym = Assert.Single(rows.Select(r => r.ConsentId).Distinct());
        Assert.NotEqual("c1", pseudonym);
        Assert.All(rows, r =>
        {
            Assert.Null(r.VisitorId);
            Assert.Null(r.UserId);
            Assert.Null(r.PagePath);
            Assert.Null(r.UserAgent);
            Assert.Null(r.IpAddress);
            Assert.Equal("necessary marketing/youtube", r.Granted);
        });
    }

    [Fact]
    public async Task Purge_deletes_receipts_made_before_the_cutoff()
    {
        var old = Receipts.Create("c1", minute: 0);
        var recent = Receipts.Create("c1", minute: 10);
        await Ledger.AppendAsync([old, recent]);

        Assert.Equal(1, await Ledger.PurgeAsync(recent.Timestamp));

        Assert.Equal(recent.ReceiptId, Assert.Single(await Ledger.FindAsync(ReceiptSubject.Consent("c1"))).ReceiptId);
    }

    [Fact]
    public async Task A_large_batch_is_written_in_one_call()
    {
        var batch = Enumerable.Range(0, 1000).Select(i => Receipts.Create("bulk", minute: i)).ToList();

        await Ledger.AppendAsync(batch);

        Assert.Equal(1000, (await Ledger.FindAsync(ReceiptSubject.Consent("bulk"))).Count);
    }

    [Fact]
    public async Task The_store_reports_that_it_answers()
        => Assert.True(await Ledger.IsReachableAsync());
}

public sealed class SqliteLedgerStoreTests : LedgerStoreTests, IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "firstparty-ef-tests", Guid.NewGuid().ToString("N"));

    protected override Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "ledger.db");
        return Task.FromResult<Action<DbContextOptionsBuilder>>(db => db.UseSqlite($"Data Source={file}"));
    }

    [Fact]
    public async Task The_table_and_its_indexes_exist()
    {
        await Ledger.AppendAsync([Receipts.Create("c1")]);
        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>();
        var indexes = await context.Database
            .SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'FirstPartyConsentReceipts'")
            .ToListAsync();

        Assert.Contains(indexes, i => i.Contains("ConsentId", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("VisitorId", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.Contains("UserId", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.EndsWith("_Timestamp", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresLedgerStoreTests : LedgerStoreTests
{
    protected override async Task<Action<DbContextOptionsBuilder>> CreateDatabaseAsync()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("fp_store");
        return db => db.UseNpgsql(connectionString);
    }

    [Fact]
    public async Task An_unreachable_server_is_reported_not_thrown()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddFirstParty().AddEntityFrameworkCoreLedger(db => db.UseNpgsql("Host=127.0.0.1;Port=1;Username=x;Password=y;Timeout=1"));
        await using var provider = services.BuildServiceProvider();

        Assert.False(await provider.GetRequiredService<IConsentLedger>().IsReachableAsync());
    }
}
