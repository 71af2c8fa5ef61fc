using FirstParty.AspNetCore.Ledger;

namespace FirstParty.AspNetCore.Tests.Ledger;

public sealed class InMemoryConsentLedgerTests
{
    /// <summary>After every receipt the tests make, unless a test says otherwise.</summary>
    private static readonly DateTimeOffset ErasedBefore = TestReceipts.At.AddDays(1);

    private readonly InMemoryConsentLedger _ledger = new();

    [Fact]
    public async Task Appending_the_same_receipt_id_twice_stores_it_once()
    {
        var receipt = TestReceipts.Create("c-1");

        await _ledger.AppendAsync([receipt]);
        await _ledger.AppendAsync([receipt, receipt with { Source = "reject-all" }]);

        var stored = Assert.Single(await _ledger.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Same(receipt, stored);
        Assert.Equal(1, await _ledger.PurgeAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task Receipts_are_found_by_consent_visitor_or_user_oldest_first()
    {
        var late = TestReceipts.Create("c-1", TestReceipts.At.AddHours(2), visitorId: "v-1", userId: "u-1");
        var early = TestReceipts.Create("c-1", TestReceipts.At, visitorId: "v-1");
        var otherBrowser = TestReceipts.Create("c-2", TestReceipts.At.AddHours(1), visitorId: "v-2", userId: "u-1");
        var stranger = TestReceipts.Create("c-3", TestReceipts.At.AddHours(3), visitorId: "v-3", userId: "u-3");
        await _ledger.AppendAsync([late, early, otherBrowser, stranger]);

        Assert.Equal([early, late], await _ledger.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Equal([early, late], await _ledger.FindAsync(ReceiptSubject.Visitor("v-1")));
        Assert.Equal([otherBrowser, late], await _ledger.FindAsync(ReceiptSubject.User("u-1")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("nobody")));

        // A kind matches its own id only: a consent id is not a visitor id.
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Visitor("c-1")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.User("C-1")));
    }

    [Fact]
    public async Task Delete_removes_the_subjects_receipts_only()
    {
        var first = TestReceipts.Create("c-1", TestReceipts.At, visitorId: "v-1");
        var second = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(1), visitorId: "v-1");
        var other = TestReceipts.Create("c-2", TestReceipts.At, visitorId: "v-2");
        await _ledger.AppendAsync([first, second, other]);

        Assert.Equal(2, await _ledger.EraseAsync(ReceiptSubject.Consent("c-1"), ReceiptErasure.Delete, ErasedBefore));

        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Visitor("v-1")));
        Assert.Equal([other], await _ledger.FindAsync(ReceiptSubject.Consent("c-2")));
        Assert.Equal(0, await _ledger.EraseAsync(ReceiptSubject.Consent("c-1"), ReceiptErasure.Delete, ErasedBefore));

        // A replay of an erased receipt stays erased: it was made before the erasure's tombstone.
        await _ledger.AppendAsync([first]);
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-1")));
    }

    [Fact]
    public async Task Pseudonymise_keeps_the_receipts_under_one_new_consent_id_and_clears_what_points_to_a_person()
    {
        var first = TestReceipts.Create("c-1", TestReceipts.At, visitorId: "v-1", userId: "u-1");
        var second = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(1), visitorId: "v-1", userId: "u-1");
        var sameUserOtherBrowser = TestReceipts.Create("c-2", TestReceipts.At.AddMinutes(2), visitorId: "v-2", userId: "u-1");
        var unrelated = TestReceipts.Create("c-3", TestReceipts.At.AddMinutes(3), visitorId: "v-3", userId: "u-3");
        await _ledger.AppendAsync([first, second, sameUserOtherBrowser, unrelated]);

        Assert.Equal(3, await _ledger.EraseAsync(ReceiptSubject.User("u-1"), ReceiptErasure.Pseudonymise, ErasedBefore));

        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.User("u-1")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-2")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Visitor("v-1")));
        Assert.Equal([unrelated], await _ledger.FindAsync(ReceiptSubject.Consent("c-3")));

        // Still there, under new consent ids.
        var ids = new[] { first.ReceiptId, second.ReceiptId, sameUserOtherBrowser.ReceiptId };
        var all = Contents().Where(r => ids.Contains(r.ReceiptId)).ToList();
        Assert.Equal(3, all.Count);
        var (pseudoFirst, pseudoSecond, pseudoOther) = (all[0], all[1], all[2]);
        Assert.Equal(ids, all.Select(r => r.ReceiptId));
        Assert.Equal(4, Contents().Count);
        Assert.Equal(pseudoFirst.ConsentId, pseudoSecond.ConsentId);
        Assert.NotEqual(pseudoFirst.ConsentId, pseudoOther.ConsentId);
        Assert.True(Guid.TryParse(pseudoFirst.ConsentId, out _), pseudoFirst.ConsentId);
        Assert.Equal([pseudoFirst, pseudoSecond], await _ledger.FindAsync(ReceiptSubject.Consent(pseudoFirst.ConsentId)));
        Assert.DoesNotContain(all, r => r.ConsentId is "c-1" or "c-2");
        Assert.All(all, r =>
        {
            Assert.Null(r.VisitorId);
            Assert.Null(r.UserId);
            Assert.Null(r.PagePath);
            Assert.Null(r.UserAgent);
            Assert.Null(r.IpAddress);
        });

        // What proves the decision stays.
        Assert.Equal(first with { ConsentId = pseudoFirst.ConsentId, VisitorId = null, UserId = null, PagePath = null, UserAgent = null, IpAddress = null }, pseudoFirst);
        Assert.Equal(4, await _ledger.PurgeAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task Purge_deletes_only_receipts_made_before_the_cutoff()
    {
        var cutoff = TestReceipts.At;
        var old = TestReceipts.Create("c-old", cutoff.AddTicks(-1));
        var atCutoff = TestReceipts.Create("c-cutoff", cutoff);
        var recent = TestReceipts.Create("c-recent", cutoff.AddDays(1));
        await _ledger.AppendAsync([recent, old, atCutoff]);

        Assert.Equal(1, await _ledger.PurgeAsync(cutoff));

        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-old")));
        Assert.Equal([atCutoff], await _ledger.FindAsync(ReceiptSubject.Consent("c-cutoff")));
        Assert.Equal([recent], await _ledger.FindAsync(ReceiptSubject.Consent("c-recent")));
        Assert.Equal(0, await _ledger.PurgeAsync(cutoff));
    }

    [Theory]
    [InlineData(ReceiptSubjectKind.Consent)]
    [InlineData(ReceiptSubjectKind.Visitor)]
    [InlineData(ReceiptSubjectKind.User)]
    public async Task A_receipt_made_before_an_erasure_of_its_subject_is_dropped_when_it_arrives_later(ReceiptSubjectKind kind)
    {
        var subject = new ReceiptSubject(kind, kind switch { ReceiptSubjectKind.Consent => "c-1", ReceiptSubjectKind.Visitor => "v-1", _ => "u-1" });
        Assert.Equal(0, await _ledger.EraseAsync(subject, ReceiptErasure.Delete, TestReceipts.At.AddMinutes(5)));

        var before = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(4), visitorId: "v-1", userId: "u-1");
        var after = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(5), visitorId: "v-1", userId: "u-1");
        var otherSubject = TestReceipts.Create("c-2", TestReceipts.At, visitorId: "v-2", userId: "u-2");
        await _ledger.AppendAsync([before, after, otherSubject]);

        Assert.Equal([after], await _ledger.FindAsync(subject));
        Assert.Equal([otherSubject], await _ledger.FindAsync(ReceiptSubject.Consent("c-2")));
        Assert.DoesNotContain(Contents(), r => r.ReceiptId == before.ReceiptId);
    }

    [Fact]
    public async Task A_late_receipt_of_a_pseudonymised_subject_is_stored_pseudonymised()
    {
        await _ledger.EraseAsync(ReceiptSubject.Visitor("v-1"), ReceiptErasure.Pseudonymise, ErasedBefore);
        var first = TestReceipts.Create("c-1", TestReceipts.At, visitorId: "v-1", userId: "u-1");
        var second = TestReceipts.Create("c-1", TestReceipts.At.AddMinutes(1), visitorId: "v-1");

        await _ledger.AppendAsync([first, second]);

        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-1")));
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.User("u-1")));
        var stored = Contents();
        Assert.Equal([first.ReceiptId, second.ReceiptId], stored.Select(r => r.ReceiptId));
        Assert.Single(stored.Select(r => r.ConsentId).Distinct());
        Assert.All(stored, r =>
        {
            Assert.True(Guid.TryParse(r.ConsentId, out _), r.ConsentId);
            Assert.Null(r.VisitorId);
            Assert.Null(r.UserId);
            Assert.Null(r.PagePath);
            Assert.Null(r.UserAgent);
            Assert.Null(r.IpAddress);
            Assert.Equal(first.Granted, r.Granted);
        });
    }

    [Fact]
    public async Task Deletion_wins_over_pseudonymisation_when_both_tombstones_reach_a_receipt()
    {
        await _ledger.EraseAsync(ReceiptSubject.Visitor("v-1"), ReceiptErasure.Pseudonymise, ErasedBefore);
        await _ledger.EraseAsync(ReceiptSubject.Consent("c-1"), ReceiptErasure.Delete, ErasedBefore);

        await _ledger.AppendAsync([TestReceipts.Create("c-1", TestReceipts.At, visitorId: "v-1")]);

        Assert.Empty(Contents());
    }

    [Fact]
    public async Task Purge_removes_tombstones_older_than_the_cutoff_with_the_receipts()
    {
        await _ledger.EraseAsync(ReceiptSubject.Consent("c-old"), ReceiptErasure.Delete, TestReceipts.At);
        await _ledger.EraseAsync(ReceiptSubject.Consent("c-new"), ReceiptErasure.Delete, TestReceipts.At.AddDays(2));
        Assert.Equal(2, _ledger.TombstoneCount);

        await _ledger.PurgeAsync(TestReceipts.At.AddDays(1));

        Assert.Equal(1, _ledger.TombstoneCount);
        var late = TestReceipts.Create("c-new", TestReceipts.At.AddDays(1).AddHours(1));
        await _ledger.AppendAsync([late]);
        Assert.Empty(await _ledger.FindAsync(ReceiptSubject.Consent("c-new")));
    }

    [Fact]
    public async Task The_store_is_always_reachable()
        => Assert.True(await _ledger.IsReachableAsync());

    /// <summary>
    /// Everything the ledger holds, oldest first. The store has no listing (pseudonymised receipts
    /// are unreachable by design), so the test reads its private list.
    /// </summary>
    private List<ConsentReceipt> Contents()
    {
        var field = typeof(InMemoryConsentLedger).GetField("_receipts", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(field);
        var receipts = Assert.IsAssignableFrom<IEnumerable<ConsentReceipt>>(field.GetValue(_ledger));
        return [.. receipts.OrderBy(r => r.Timestamp)];
    }
}
