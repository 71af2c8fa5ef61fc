using System.Text.Json;

namespace FirstParty.AspNetCore.Tests.Ledger;

public sealed class ConsentReceiptExportTests
{
    [Fact]
    public void The_document_names_the_schema_and_the_subject_and_has_one_record_per_receipt()
    {
        var receipts = new[] { TestReceipts.Create("c-1", TestReceipts.At), TestReceipts.Create("c-1", TestReceipts.At.AddDays(1), source: "reject-all") };

        var document = Parse(ConsentReceiptExport.ToUtf8Bytes(ReceiptSubject.Consent("c-1"), receipts));

        Assert.Equal(["schemaVersion", "subject", "records"], document.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ISO/IEC TS 27560:2023", document.GetProperty("schemaVersion").GetString());
        var subject = document.GetProperty("subject");
        Assert.Equal("consent", subject.GetProperty("kind").GetString());
        Assert.Equal("c-1", subject.GetProperty("id").GetString());
        var records = document.GetProperty("records").EnumerateArray().ToList();
        Assert.Equal(receipts.Select(r => r.ReceiptId), records.Select(r => r.GetProperty("recordId").GetString()));
    }

    [Theory]
    [InlineData(ReceiptSubjectKind.Consent, "consent")]
    [InlineData(ReceiptSubjectKind.Visitor, "visitor")]
    [InlineData(ReceiptSubjectKind.User, "user")]
    public void The_subject_kind_is_lower_case(ReceiptSubjectKind kind, string expected)
    {
        var document = Parse(ConsentReceiptExport.ToUtf8Bytes(new ReceiptSubject(kind, "id-1"), []));

        Assert.Equal(expected, document.GetProperty("subject").GetProperty("kind").GetString());
        Assert.Equal("id-1", document.GetProperty("subject").GetProperty("id").GetString());
        Assert.Empty(document.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public void A_record_carries_every_field_of_the_receipt()
    {
        var receipt = new ConsentReceipt
        {
            ReceiptId = "r-1",
            ConsentId = "c-1",
            VisitorId = "v-1",
            UserId = "u-1",
            Timestamp = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero),
            Revision = 3,
            NoticeHash = new string('f', 64),
            Regime = ConsentRegime.OptOut,
            Region = "US-CA",
            Language = "en-US",
            Source = "custom",
            Granted = ["necessary", "analytics", "marketing/youtube"],
            Denied = ["marketing", "marketing/vimeo"],
            GlobalPrivacyControl = true,
            ExpiresAt = new DateTimeOffset(2027, 2, 4, 12, 0, 0, TimeSpan.Zero),
            PagePath = "/pricing",
            UserAgent = "Mozilla/5.0",
            IpAddress = "198.51.100.0",
        };

        var record = Assert.Single(Parse(ConsentReceiptExport.ToUtf8Bytes(ReceiptSubject.User("u-1"), [receipt])).GetProperty("records").EnumerateArray());

        Assert.Equal(
            ["recordId", "consentId", "visitorId", "userId", "timestamp", "expiresAt", "event", "collectionMethod", "notice", "jurisdiction", "regime", "legalBasis", "purposes", "signals", "context"],
            record.EnumerateObject().Select(p => p.Name));
        Assert.Equal("r-1", record.GetProperty("recordId").GetString());
        Assert.Equal("c-1", record.GetProperty("consentId").GetString());
        Assert.Equal("v-1", record.GetProperty("visitorId").GetString());
        Assert.Equal("u-1", record.GetProperty("userId").GetString());
        Assert.Equal(receipt.Timestamp, record.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal(receipt.ExpiresAt, record.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("updated", record.GetProperty("event").GetString());
        Assert.Equal("custom", record.GetProperty("collectionMethod").GetString());

        var notice = record.GetProperty("notice");
        Assert.Equal(3, notice.GetProperty("revision").GetInt32());
        Assert.Equal(new string('f', 64), notice.GetProperty("sha256").GetString());
        Assert.Equal("en-US", notice.GetProperty("language").GetString());

        Assert.Equal("US-CA", record.GetProperty("jurisdiction").GetString());
        Assert.Equal("OptOut", record.GetProperty("regime").GetString());
        Assert.Equal("consent", record.GetProperty("legalBasis").GetString());

        var purposes = record.GetProperty("purposes").EnumerateArray()
            .Select(p => (p.GetProperty("purpose").GetString(), p.GetProperty("status").GetString()))
            .ToList();
        Assert.Equal(
            [
                ("necessary", "granted"),
                ("analytics", "granted"),
                ("marketing/youtube", "granted"),
                ("marketing", "refused"),
                ("marketing/vimeo", "refused"),
            ],
            purposes);

        Assert.True(record.GetProperty("signals").GetProperty("globalPrivacyControl").GetBoolean());
        var context = record.GetProperty("context");
        Assert.Equal("/pricing", context.GetProperty("pagePath").GetString());
        Assert.Equal("Mozilla/5.0", context.GetProperty("userAgent").GetString());
        Assert.Equal("198.51.100.0", context.GetProperty("ipAddress").GetString());
    }

    [Theory]
    [InlineData("accept-all", "given")]
    [InlineData("reject-all", "refused")]
    [InlineData("withdraw", "withdrawn")]
    [InlineData("custom", "updated")]
    [InlineData("gpc", "updated")]
    [InlineData("api", "updated")]
    public void The_event_follows_the_source(string source, string expected)
    {
        var record = Assert.Single(Parse(ConsentReceiptExport.ToUtf8Bytes(null, [TestReceipts.Create(source: source)])).GetProperty("records").EnumerateArray());

        Assert.Equal(expected, record.GetProperty("event").GetString());
        Assert.Equal(source, record.GetProperty("collectionMethod").GetString());
    }

    [Fact]
    public void Missing_values_are_written_as_null_and_gpc_as_false()
    {
        var receipt = TestReceipts.Create() with
        {
            VisitorId = null,
            UserId = null,
            NoticeHash = null,
            Language = null,
            Region = null,
            PagePath = null,
            UserAgent = null,
            IpAddress = null,
            Granted = [],
            Denied = [],
        };

        var record = Assert.Single(Parse(ConsentReceiptExport.ToUtf8Bytes(null, [receipt])).GetProperty("records").EnumerateArray());

        Assert.Equal(JsonValueKind.Null, record.GetProperty("visitorId").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("userId").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("jurisdiction").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("notice").GetProperty("sha256").ValueKind);
        Assert.Equal(JsonValueKind.Null, record.GetProperty("notice").GetProperty("language").ValueKind);
        Assert.All(record.GetProperty("context").EnumerateObject(), p => Assert.Equal(JsonValueKind.Null, p.Value.ValueKind));
        Assert.Empty(record.GetProperty("purposes").EnumerateArray());
        Assert.False(record.GetProperty("signals").GetProperty("globalPrivacyControl").GetBoolean());
    }

    [Fact]
    public void No_subject_is_written_as_null_with_no_records()
    {
        var document = Parse(ConsentReceiptExport.ToUtf8Bytes(null, []));

        Assert.Equal("ISO/IEC TS 27560:2023", document.GetProperty("schemaVersion").GetString());
        Assert.Equal(JsonValueKind.Null, document.GetProperty("subject").ValueKind);
        Assert.Equal(JsonValueKind.Array, document.GetProperty("records").ValueKind);
        Assert.Empty(document.GetProperty("records").EnumerateArray());
    }

    [Fact]
    public async Task WriteAsync_writes_the_same_document_to_a_stream()
    {
        var receipts = TestReceipts.Many(3);
        var subject = ReceiptSubject.Visitor("v-1");
        using var stream = new MemoryStream();

        await ConsentReceiptExport.WriteAsync(stream, subject, receipts);

        Assert.Equal(ConsentReceiptExport.ToUtf8Bytes(subject, receipts), stream.ToArray());
        Assert.Equal(3, Parse(stream.ToArray()).GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task Null_arguments_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => ConsentReceiptExport.ToUtf8Bytes(null, null!));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ConsentReceiptExport.WriteAsync(null!, null, []));
        await Assert.ThrowsAsync<ArgumentNullException>(() => ConsentReceiptExport.WriteAsync(new MemoryStream(), null, null!));
    }

    [Fact]
    public void The_content_type_is_utf8_json()
        => Assert.Equal("application/json; charset=utf-8", ConsentReceiptExport.ContentType);

    private static JsonElement Parse(byte[] utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return document.RootElement.Clone();
    }
}
