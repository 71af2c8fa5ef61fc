using System.Text;
using FirstParty.AspNetCore.Ledger;
using FirstParty.AspNetCore.Outbox;
using FirstParty.AspNetCore.Tests.Ledger;

namespace FirstParty.AspNetCore.Tests.Outbox;

/// <summary>The generic spill file, exercised with the ledger's operations (the richest item it carries).</summary>
public sealed class OutboxSpillFileTests : IDisposable
{
    private static readonly DateTimeOffset Queued = new(2026, 2, 1, 8, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _directory = new();
    private readonly List<OutboxSpillFile<LedgerOperation>> _files = [];
    private readonly List<(string Path, int Line)> _rejectedLines = [];

    public void Dispose()
    {
        foreach (var file in _files)
        {
            file.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public void Appended_operations_are_read_back_in_order_with_every_receipt_field()
    {
        var spill = Open();
        var receipt = new ConsentReceipt
        {
            ReceiptId = "6f1c2a8e-7a4b-4c8e-9a51-2b7f0d3e4c11",
            ConsentId = "0b7e3f2a-1c4d-4e5f-8a9b-0c1d2e3f4a5b",
            VisitorId = "visitor-1",
            UserId = "user-42",
            Timestamp = new DateTimeOffset(2026, 2, 1, 9, 30, 15, 123, TimeSpan.FromHours(2)),
            Revision = 7,
            NoticeHash = new string('c', 64),
            Regime = ConsentRegime.OptOut,
            Region = "US-CA",
            Language = "fr-FR",
            Source = "custom",
            Granted = ["necessary", "analytics", "marketing/youtube"],
            Denied = ["marketing", "marketing/vimeo"],
            GlobalPrivacyControl = true,
            ExpiresAt = new DateTimeOffset(2027, 3, 3, 9, 30, 15, TimeSpan.FromHours(-5)),
            PagePath = "/products/é",
            UserAgent = "Mozilla/5.0 \"quoted\"\nnewline",
            IpAddress = "2001:db8:abcd::",
        };
        var minimal = new ConsentReceipt
        {
            ReceiptId = "r-2",
            ConsentId = "c-2",
            Timestamp = Queued,
            Revision = 1,
            Regime = ConsentRegime.Implied,
            Source = "reject-all",
            Granted = [],
            Denied = ["analytics"],
            ExpiresAt = Queued.AddDays(182),
        };
        LedgerOperation[] written =
        [
            new() { Append = receipt, QueuedAt = Queued },
            new() { Erase = ReceiptSubject.Visitor("visitor-1"), Erasure = ReceiptErasure.Pseudonymise, QueuedAt = Queued.AddSeconds(1) },
            new() { Append = minimal, QueuedAt = Queued.AddSeconds(2) },
            new() { Erase = ReceiptSubject.User("user-42"), Erasure = ReceiptErasure.Delete, QueuedAt = Queued.AddSeconds(3) },
        ];

        spill.Append(written[..2]);
        spill.Append(written[2..]);
        var (read, next) = spill.Read(0);

        Assert.Equal(new FileInfo(spill.FilePath!).Length, next);
        Assert.Equal(4, read.Count);
        Assert.Equal(written.Select(o => o.QueuedAt), read.Select(o => o.QueuedAt));

        AssertSameReceipt(receipt, read[0].Append);
        Assert.Null(read[0].Erase);

        Assert.Null(read[1].Append);
        Assert.Equal(ReceiptSubject.Visitor("visitor-1"), read[1].Erase);
        Assert.Equal(ReceiptErasure.Pseudonymise, read[1].Erasure);

        AssertSameReceipt(minimal, read[2].Append);
        Assert.Null(read[2].Append!.VisitorId);
        Assert.Null(read[2].Append!.NoticeHash);

        Assert.Equal(ReceiptSubject.User("user-42"), read[3].Erase);
        Assert.Equal(ReceiptErasure.Delete, read[3].Erasure);
    }

    [Fact]
    public void Each_operation_is_one_line_of_json_with_enums_as_names()
    {
        var spill = Open();
        spill.Append([Append(TestReceipts.Create()), new LedgerOperation { Erase = ReceiptSubject.Consent("consent-1"), Erasure = ReceiptErasure.Pseudonymise, QueuedAt = Queued }]);

        var lines = TempDirectory.ReadShared(spill.FilePath!).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(2, lines.Length);
        Assert.Contains("\"regime\":\"OptIn\"", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"kind\":\"Consent\"", lines[1], StringComparison.Ordinal);
        Assert.Contains("\"erasure\":\"Pseudonymise\"", lines[1], StringComparison.Ordinal);
        Assert.EndsWith(OutboxSpillFile<LedgerOperation>.Extension, spill.FilePath, StringComparison.Ordinal);
        Assert.Equal(_directory.Path, Path.GetDirectoryName(spill.FilePath));
    }

    [Fact]
    public void A_new_spill_file_is_empty_and_inactive_and_creates_no_file()
    {
        var spill = Open();

        Assert.False(spill.IsActive);
        Assert.Equal(0, spill.PendingCount);
        Assert.Null(spill.Oldest);
        Assert.Null(spill.FilePath);
        var (items, next) = spill.Read(0);
        Assert.Empty(items);
        Assert.Equal(0, next);
        Assert.True(spill.TryComplete(0));
        spill.Append([]);
        Assert.Empty(_directory.SpillFiles());
    }

    [Fact]
    public void Pending_count_and_oldest_follow_the_appends()
    {
        var spill = Open();

        spill.Append([Append(TestReceipts.Create(), Queued.AddMinutes(1)), Append(TestReceipts.Create(), Queued.AddMinutes(2))]);
        Assert.True(spill.IsActive);
        Assert.Equal(2, spill.PendingCount);
        Assert.Equal(Queued.AddMinutes(1), spill.Oldest);

        spill.Append([Append(TestReceipts.Create(), Queued.AddMinutes(3))]);
        Assert.Equal(3, spill.PendingCount);
        Assert.Equal(Queued.AddMinutes(1), spill.Oldest);
        Assert.Single(_directory.SpillFiles());
    }

    [Fact]
    public void TryComplete_refuses_while_operations_were_appended_after_the_read()
    {
        var spill = Open();
        var first = TestReceipts.Create("c-1");
        var second = TestReceipts.Create("c-2");
        var late = TestReceipts.Create("c-3");
        spill.Append([Append(first), Append(second)]);

        var (read, next) = spill.Read(0);
        Assert.Equal([first.ReceiptId, second.ReceiptId], read.Select(o => o.Append!.ReceiptId));

        spill.Append([Append(late, Queued.AddHours(1))]);
        Assert.False(spill.TryComplete(next));
        Assert.True(spill.IsActive);
        Assert.Equal(3, spill.PendingCount);

        var (rest, end) = spill.Read(next);
        Assert.Equal(late.ReceiptId, Assert.Single(rest).Append!.ReceiptId);
        Assert.True(spill.TryComplete(end));

        Assert.False(spill.IsActive);
        Assert.Equal(0, spill.PendingCount);
        Assert.Null(spill.Oldest);
        Assert.Equal(0, new FileInfo(spill.FilePath!).Length);
        Assert.Empty(spill.Read(0).Items);
    }

    [Fact]
    public void The_file_is_reused_after_it_was_emptied()
    {
        var spill = Open();
        spill.Append([Append(TestReceipts.Create())]);
        Assert.True(spill.TryComplete(spill.Read(0).NextOffset));
        var path = spill.FilePath;

        var again = TestReceipts.Create("c-again");
        spill.Append([Append(again, Queued.AddDays(1))]);

        Assert.Equal(path, spill.FilePath);
        Assert.Equal(1, spill.PendingCount);
        Assert.Equal(Queued.AddDays(1), spill.Oldest);
        Assert.Equal(again.ReceiptId, Assert.Single(spill.Read(0).Items).Append!.ReceiptId);
    }

    [Fact]
    public void Disposing_deletes_an_empty_file_and_keeps_one_with_pending_operations()
    {
        var emptied = Open();
        emptied.Append([Append(TestReceipts.Create())]);
        Assert.True(emptied.TryComplete(emptied.Read(0).NextOffset));
        var emptiedPath = emptied.FilePath!;

        var pending = Open();
        pending.Append([Append(TestReceipts.Create())]);
        var pendingPath = pending.FilePath!;

        emptied.Dispose();
        pending.Dispose();

        Assert.False(File.Exists(emptiedPath));
        Assert.True(File.Exists(pendingPath));
        Assert.Equal([pendingPath], _directory.SpillFiles());
    }

    [Fact]
    public void AdoptOrphans_returns_a_file_left_by_another_writer()
    {
        var receipt = TestReceipts.Create("c-orphan");
        var erase = ReceiptSubject.Consent("c-orphan");
        var previous = Open();
        previous.Append([Append(receipt), new LedgerOperation { Erase = erase, Erasure = ReceiptErasure.Delete, QueuedAt = Queued.AddSeconds(5) }]);
        var path = previous.FilePath!;
        previous.Dispose();

        var spill = Open();
        var (orphanPath, operations) = Assert.Single(spill.AdoptOrphans());

        Assert.Equal(path, orphanPath);
        Assert.Equal(2, operations.Count);
        AssertSameReceipt(receipt, operations[0].Append);
        Assert.Equal(Queued, operations[0].QueuedAt);
        Assert.Equal(erase, operations[1].Erase);

        // Adoption only reads: the caller takes the operations over and deletes the file.
        Assert.True(File.Exists(path));
        Assert.False(spill.IsActive);
    }

    [Fact]
    public void AdoptOrphans_does_not_take_the_file_of_a_live_writer()
    {
        var spill = Open();
        var live = Open();
        live.Append([Append(TestReceipts.Create("c-live"))]);
        Assert.True(File.Exists(live.FilePath));

        Assert.Empty(spill.AdoptOrphans());

        // Once that writer stops, its file is an orphan.
        var path = live.FilePath!;
        live.Dispose();
        var (orphanPath, operations) = Assert.Single(spill.AdoptOrphans());
        Assert.Equal(path, orphanPath);
        Assert.Equal("c-live", Assert.Single(operations).Append!.ConsentId);
    }

    [Fact]
    public void AdoptOrphans_never_returns_its_own_file()
    {
        var spill = Open();
        spill.Append([Append(TestReceipts.Create())]);

        Assert.Empty(spill.AdoptOrphans());
        Assert.Equal(1, spill.PendingCount);
    }

    [Fact]
    public void AdoptOrphans_of_a_missing_directory_returns_nothing()
    {
        var spill = new OutboxSpillFile<LedgerOperation>(Path.Combine(_directory.Path, "does-not-exist"), LedgerJsonContext.Default.LedgerOperation, LedgerOperation.IsValid);
        _files.Add(spill);

        Assert.Empty(spill.AdoptOrphans());
    }

    [Fact]
    public void Malformed_lines_are_skipped_and_kept_in_a_rejected_file()
    {
        var first = TestReceipts.Create("c-first");
        var last = TestReceipts.Create("c-last");
        var writer = Open();
        writer.Append([Append(first)]);
        var good = TempDirectory.ReadShared(writer.FilePath!).TrimEnd('\n');
        writer.Dispose();

        var lastLine = TempDirectory.ReadShared(Spilled(last)).TrimEnd('\n');
        const string Garbage = "this is not json {";
        const string Wake = "{}";
        const string NoIds = "{\"append\":{\"timestamp\":\"2026-01-01T00:00:00+00:00\"}}";
        var orphan = Path.Combine(_directory.Path, "orphan" + OutboxSpillFile<LedgerOperation>.Extension);
        foreach (var file in _directory.SpillFiles())
        {
            File.Delete(file);
        }

        File.WriteAllText(orphan, string.Join('\n', good, Garbage, string.Empty, Wake, NoIds, lastLine) + "\n", new UTF8Encoding(false));

        var spill = Open();
        var (path, operations) = Assert.Single(spill.AdoptOrphans());

        Assert.Equal(orphan, path);
        Assert.Equal(["c-first", "c-last"], operations.Select(o => o.Append!.ConsentId));
        var rejected = File.ReadAllLines(orphan + ".rejected");
        Assert.Equal([Garbage, Wake, NoIds], rejected);
        Assert.Equal([(orphan, 2), (orphan, 4), (orphan, 5)], _rejectedLines);

        // The rejected lines are kept aside, not adopted again as a spill file.
        Assert.DoesNotContain(orphan + ".rejected", _directory.SpillFiles());
    }

    [Fact]
    public void A_partial_last_line_is_not_read_until_it_is_complete()
    {
        var spill = Open();
        spill.Append([Append(TestReceipts.Create("c-1"))]);
        var full = new FileInfo(spill.FilePath!).Length;

        using (var append = new FileStream(spill.FilePath!, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
        {
            append.Write("{\"append\":"u8);
        }

        var (operations, next) = spill.Read(0);

        Assert.Single(operations);
        Assert.Equal(full, next);
        Assert.False(File.Exists(spill.FilePath + ".rejected"));
    }

    [Fact]
    public void A_spill_file_written_by_the_earlier_ledger_writer_is_adopted()
    {
        // Two lines exactly as LedgerSpillFile wrote them before the outbox was extracted.
        const string Append = "{\"append\":{\"receiptId\":\"9d7c1e2a-0b3f-4a5d-8e6f-1a2b3c4d5e6f\",\"consentId\":\"c-legacy\",\"visitorId\":\"v-legacy\",\"timestamp\":\"2026-01-05T10:00:00+01:00\",\"revision\":2,\"noticeHash\":\"" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" + "\",\"regime\":\"OptIn\",\"region\":\"FR\",\"language\":\"fr-FR\",\"source\":\"accept-all\",\"granted\":[\"necessary\",\"analytics\"],\"denied\":[\"marketing\"],\"globalPrivacyControl\":false,\"expiresAt\":\"2027-02-04T10:00:00+01:00\",\"pagePath\":\"/\",\"userAgent\":\"Mozilla/5.0\",\"ipAddress\":\"203.0.113.0\"},\"erasure\":\"Delete\",\"queuedAt\":\"2026-01-05T09:00:01+00:00\"}";
        const string Erase = "{\"erase\":{\"kind\":\"Visitor\",\"id\":\"v-legacy\"},\"erasure\":\"Pseudonymise\",\"queuedAt\":\"2026-01-05T09:00:02+00:00\"}";
        var orphan = Path.Combine(_directory.Path, $"spill-4242-{Guid.NewGuid():N}.jsonl");
        File.WriteAllText(orphan, Append + "\n" + Erase + "\n", new UTF8Encoding(false));

        var spill = Open();
        var (path, items) = Assert.Single(spill.AdoptOrphans());

        Assert.Equal(orphan, path);
        Assert.Empty(_rejectedLines);
        Assert.Equal(2, items.Count);
        var receipt = items[0].Append;
        Assert.NotNull(receipt);
        Assert.Equal("9d7c1e2a-0b3f-4a5d-8e6f-1a2b3c4d5e6f", receipt.ReceiptId);
        Assert.Equal("c-legacy", receipt.ConsentId);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 10, 0, 0, TimeSpan.FromHours(1)), receipt.Timestamp);
        Assert.Equal(ConsentRegime.OptIn, receipt.Regime);
        Assert.Equal(["necessary", "analytics"], receipt.Granted);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 1, TimeSpan.Zero), items[0].QueuedAt);
        Assert.Equal(ReceiptSubject.Visitor("v-legacy"), items[1].Erase);
        Assert.Equal(ReceiptErasure.Pseudonymise, items[1].Erasure);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 2, TimeSpan.Zero), items[1].QueuedAt);
    }

    [Fact]
    public void Items_written_now_read_the_same_as_the_earlier_format()
    {
        // The format did not change: the line written today for an erasure is the earlier line, byte for byte.
        var spill = Open();
        spill.Append([new LedgerOperation { Erase = ReceiptSubject.Visitor("v-legacy"), Erasure = ReceiptErasure.Pseudonymise, QueuedAt = new DateTimeOffset(2026, 1, 5, 9, 0, 2, TimeSpan.Zero) }]);

        Assert.Equal(
            "{\"erase\":{\"kind\":\"Visitor\",\"id\":\"v-legacy\"},\"erasure\":\"Pseudonymise\",\"queuedAt\":\"2026-01-05T09:00:02+00:00\"}\n",
            TempDirectory.ReadShared(spill.FilePath!));
    }

    private static LedgerOperation Append(ConsentReceipt receipt, DateTimeOffset? queuedAt = null)
        => new() { Append = receipt, QueuedAt = queuedAt ?? Queued };

    private static void AssertSameReceipt(ConsentReceipt expected, ConsentReceipt? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.ReceiptId, actual.ReceiptId);
        Assert.Equal(expected.ConsentId, actual.ConsentId);
        Assert.Equal(expected.VisitorId, actual.VisitorId);
        Assert.Equal(expected.UserId, actual.UserId);
        Assert.Equal(expected.Timestamp, actual.Timestamp);
        Assert.Equal(expected.Timestamp.Offset, actual.Timestamp.Offset);
        Assert.Equal(expected.Revision, actual.Revision);
        Assert.Equal(expected.NoticeHash, actual.NoticeHash);
        Assert.Equal(expected.Regime, actual.Regime);
        Assert.Equal(expected.Region, actual.Region);
        Assert.Equal(expected.Language, actual.Language);
        Assert.Equal(expected.Source, actual.Source);
        Assert.Equal(expected.Granted, actual.Granted);
        Assert.Equal(expected.Denied, actual.Denied);
        Assert.Equal(expected.GlobalPrivacyControl, actual.GlobalPrivacyControl);
        Assert.Equal(expected.ExpiresAt, actual.ExpiresAt);
        Assert.Equal(expected.ExpiresAt.Offset, actual.ExpiresAt.Offset);
        Assert.Equal(expected.PagePath, actual.PagePath);
        Assert.Equal(expected.UserAgent, actual.UserAgent);
        Assert.Equal(expected.IpAddress, actual.IpAddress);

        // Nothing else: the record's own equality only differs by the list instances.
        Assert.Equal(expected, actual with { Granted = expected.Granted, Denied = expected.Denied });
    }

    private OutboxSpillFile<LedgerOperation> Open()
    {
        var spill = new OutboxSpillFile<LedgerOperation>(_directory.Path, LedgerJsonContext.Default.LedgerOperation, LedgerOperation.IsValid, (path, line) => _rejectedLines.Add((path, line)));
        _files.Add(spill);
        return spill;
    }

    /// <summary>Spills one receipt in a file of its own and returns that file (left on disk).</summary>
    private string Spilled(ConsentReceipt receipt)
    {
        var spill = Open();
        spill.Append([Append(receipt)]);
        var path = spill.FilePath!;
        spill.Dispose();
        return path;
    }
}
