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

    private async Task<int> CountAsync<TEntity>() where TEntity : class
    {
        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>().Set<TEntity>().CountAsync();
    }

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

        Assert.Equal(2, await Ledger.EraseAsync(ReceiptSubject.Consent("c1"), ReceiptErasure.Delete, Receipts.After));

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

        Assert.Equal(2, await Ledger.EraseAsync(ReceiptSubject.User("u1"), ReceiptErasure.Pseudonymise, Receipts.After));

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

    [Theory]
    [InlineData(ReceiptSubjectKind.Consent)]
    [InlineData(ReceiptSubjectKind.Visitor)]
    [InlineData(ReceiptSubjectKind.User)]
    public async Task A_receipt_made_before_an_erasure_that_arrives_later_is_not_stored(ReceiptSubjectKind kind)
    {
        var subject = new ReceiptSubject(kind, kind switch { ReceiptSubjectKind.Consent => "c1", ReceiptSubjectKind.Visitor => "v1", _ => "u1" });
        var made = Receipts.Create("c1", minute: 5, visitorId: "v1", userId: "u1");
        var madeLater = Receipts.Create("c1", minute: 10, visitorId: "v1", userId: "u1");
        var other = Receipts.Create("c2", minute: 5, visitorId: "v2", userId: "u2");

        Assert.Equal(0, await Ledger.EraseAsync(subject, ReceiptErasure.Delete, made.Timestamp.AddMinutes(1)));
        await Ledger.AppendAsync([made, madeLater, other]);
        await Ledger.AppendAsync([made]);

        Assert.Equal([madeLater.ReceiptId], (await Ledger.FindAsync(subject)).Select(r => r.ReceiptId));
        Assert.Single(await Ledger.FindAsync(ReceiptSubject.Consent("c2")));
        Assert.Equal(2, await CountAsync<ConsentReceiptEntity>());
    }

    [Fact]
    public async Task A_late_receipt_of_a_pseudonymised_subject_is_stored_pseudonymised()
    {
        var late = Receipts.Create("c1", visitorId: "v1", userId: "u1");
        var lateToo = Receipts.Create("c1", minute: 1, visitorId: "v1");
        await Ledger.EraseAsync(ReceiptSubject.Visitor("v1"), ReceiptErasure.Pseudonymise, Receipts.After);

        await Ledger.AppendAsync([late, lateToo]);

        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.Consent("c1")));
        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.Visitor("v1")));
        Assert.Empty(await Ledger.FindAsync(ReceiptSubject.User("u1")));
        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>().ConsentReceipts.AsNoTracking().ToListAsync();
        Assert.Equal([late.ReceiptId, lateToo.ReceiptId], rows.OrderBy(r => r.Timestamp).Select(r => r.ReceiptId));
        var pseudonym = Assert.Single(rows.Select(r => r.ConsentId).Distinct());
        Assert.True(Guid.TryParse(pseudonym, out _), pseudonym);
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
    public async Task An_erasure_leaves_its_tombstone_in_the_same_transaction()
    {
        await Ledger.AppendAsync([Receipts.Create("c1")]);

        Assert.Equal(1, await Ledger.EraseAsync(ReceiptSubject.Consent("c1"), ReceiptErasure.Pseudonymise, Receipts.After));

        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        var tombstone = Assert.Single(await scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>().ErasureTombstones.AsNoTracking().ToListAsync());
        Assert.Equal(("Consent", "c1", "Pseudonymise"), (tombstone.SubjectKind, tombstone.SubjectId, tombstone.Erasure));
        Assert.Equal(Receipts.After.UtcDateTime, DateTime.SpecifyKind(tombstone.ErasedBefore, DateTimeKind.Utc));
    }

    [Fact]
    public async Task Purge_deletes_tombstones_older_than_the_cutoff_with_the_receipts()
    {
        var cutoff = Receipts.After.AddDays(1);
        await Ledger.EraseAsync(ReceiptSubject.Consent("old"), ReceiptErasure.Delete, Receipts.After);
        await Ledger.EraseAsync(ReceiptSubject.Consent("new"), ReceiptErasure.Delete, cutoff.AddDays(1));

        await Ledger.PurgeAsync(cutoff);

        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        var left = await scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>().ErasureTombstones.AsNoTracking().Select(t => t.SubjectId).ToListAsync();
        Assert.Equal(["new"], left);
    }

    [Fact]
    public async Task A_large_batch_is_written_in_one_call()
    {
        var batch = Enumerable.Range(0, 1000).Select(i => Receipts.Create("bulk", minute: i)).ToList();

        await Ledger.AppendAsync(batch);

        Assert.Equal(1000, (await Ledger.FindAsync(ReceiptSubject.Consent("bulk"))).Count);
    }

    [Fact]
    public async Task The_store_counts_receipts_by_utc_day_region_revision_and_source_in_the_database()
    {
        // Receipts.Create starts at 10:00 UTC: 14 hours later is the next day.
        await Ledger.AppendAsync(
        [
            Receipts.Create("a"),
            Receipts.Create("b", minute: 5),
            Receipts.Create("c", minute: 6) with { Source = "reject-all" },
            Receipts.Create("d", minute: 7) with { Region = null, Revision = 4 },
            Receipts.Create("e", minute: 14 * 60),
            Receipts.Create("f", minute: -11 * 60),
        ]);
        var insights = Assert.IsAssignableFrom<IConsentLedgerInsights>(Ledger);

        var aggregates = await insights.AggregateAsync(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 26, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(
        [
            new ConsentAggregate(new DateOnly(2026, 11, 24), null, 4, "custom", 1),
            new ConsentAggregate(new DateOnly(2026, 11, 24), "US-CA", 3, "custom", 2),
            new ConsentAggregate(new DateOnly(2026, 11, 24), "US-CA", 3, "reject-all", 1),
            new ConsentAggregate(new DateOnly(2026, 11, 25), "US-CA", 3, "custom", 1),
        ],
        aggregates);
    }

    [Fact]
    public async Task Staff_actions_are_kept_as_rows_and_listed_newest_first()
    {
        var insights = Assert.IsAssignableFrom<IConsentLedgerInsights>(Ledger);
        var at = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);
        await insights.AppendStaffActionAsync(new StaffAction { Timestamp = at, Staff = "dana", Action = "search", SubjectKind = ReceiptSubjectKind.User, SubjectHash = new string('1', 64), Count = 2 });
        await insights.AppendStaffActionAsync(new StaffAction { Timestamp = at.AddMinutes(1), Staff = "dana", Action = "erase", SubjectKind = ReceiptSubjectKind.User, SubjectHash = new string('1', 64), Count = 2 });
        await insights.AppendStaffActionAsync(new StaffAction { Timestamp = at.AddMinutes(2), Staff = "kim", Action = "export", SubjectKind = ReceiptSubjectKind.Visitor, SubjectHash = new string('2', 64), Count = 0 });

        var newest = await insights.StaffActionsAsync(2);

        Assert.Equal(3, await CountAsync<StaffActionEntity>());
        Assert.Equal(
        [
            new StaffAction { Timestamp = at.AddMinutes(2), Staff = "kim", Action = "export", SubjectKind = ReceiptSubjectKind.Visitor, SubjectHash = new string('2', 64), Count = 0 },
            new StaffAction { Timestamp = at.AddMinutes(1), Staff = "dana", Action = "erase", SubjectKind = ReceiptSubjectKind.User, SubjectHash = new string('1', 64), Count = 2 },
        ],
        newest);

        // The receipts' retention purge leaves the log alone: it is the site's own accountability record.
        await Ledger.PurgeAsync(DateTimeOffset.MaxValue);
        Assert.Equal(3, await CountAsync<StaffActionEntity>());
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

    [Fact]
    public async Task The_tombstone_table_is_indexed_by_subject_and_time()
    {
        await Ledger.EraseAsync(ReceiptSubject.Consent("c1"), ReceiptErasure.Delete, Receipts.After);
        await using var scope = Resolve<IServiceScopeFactory>().CreateAsyncScope();
        var context = scope.ServiceProvider.GetRequiredService<ConsentLedgerDbContext>();
        var indexes = await context.Database
            .SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'FirstPartyErasureTombstones'")
            .ToListAsync();

        Assert.Contains(indexes, i => i.Contains("SubjectKind_SubjectId_ErasedBefore", StringComparison.Ordinal));
        Assert.Contains(indexes, i => i.EndsWith("_ErasedBefore", StringComparison.Ordinal) && !i.Contains("Subject", StringComparison.Ordinal));
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
