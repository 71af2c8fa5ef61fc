using FirstParty.AspNetCore.Internal;
using FirstParty.AspNetCore.Visitors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FirstParty.AspNetCore.Tests;

public sealed class VisitorRecordTests
{
    private const string Id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private const string SessionId = "7c9e6679-7425-40de-944b-e07fc1f90ae7";

    [Fact]
    public void Format_writes_the_documented_compact_form()
    {
        Assert.Equal($"{Id}.100.2.{SessionId}.200", new VisitorRecord(Id, 100, 2, SessionId, 200).Format());
        Assert.Equal($"{Id}.100.0..100", new VisitorRecord(Id, 100, 0, null, 100).Format());
    }

    [Theory]
    [InlineData(0L, 0, null, 0L)]
    [InlineData(1_767_614_400L, 1, SessionId, 1_767_614_400L)]
    [InlineData(1_767_614_400L, 42, SessionId, 1_800_000_000L)]
    [InlineData(253_402_300_799L, int.MaxValue, SessionId, 253_402_300_799L)]
    public void Format_and_TryParse_round_trip(long firstSeen, int sessionCount, string? lastSessionId, long lastSeen)
    {
        var record = new VisitorRecord(Id, firstSeen, sessionCount, lastSessionId, lastSeen);

        Assert.True(VisitorRecord.TryParse(record.Format(), out var parsed));
        Assert.Equal(record, parsed);
    }

    [Fact]
    public void An_empty_last_session_id_parses_as_null()
    {
        Assert.True(VisitorRecord.TryParse($"{Id}.5.0..5", out var parsed));
        Assert.Null(parsed.LastSessionId);
        Assert.Equal(0, parsed.SessionCount);
    }

    [Theory]
    [InlineData($"{Id}.100.2.{SessionId}")] // 4 fields
    [InlineData($"{Id}.100.2.{SessionId}.200.300")] // 6 fields
    [InlineData($"{Id}.100.2.{SessionId}.200.")] // trailing separator
    [InlineData($"{Id}")]
    [InlineData("")]
    [InlineData("....")]
    [InlineData(".....")]
    public void Rejects_a_wrong_field_count(string text)
        => AssertRejected(text);

    [Theory]
    [InlineData("0F8FAD5B-D9CB-469F-A165-70867728950E.100.2..200")] // uppercase id
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950E.100.2..200")] // one uppercase digit
    [InlineData($"{Id}.100.2.7C9E6679-7425-40DE-944B-E07FC1F90AE7.200")] // uppercase last session id
    [InlineData("0f8fad5bd9cb469fa16570867728950e.100.2..200")] // no hyphens
    [InlineData("{0f8fad5b-d9cb-469f-a165-70867728950e}.100.2..200")] // braces
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950.100.2..200")] // too short
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950g.100.2..200")] // not hex
    [InlineData(".100.2..200")] // empty id
    [InlineData($"{Id}.100.2.not-a-uuid.200")]
    public void Rejects_ids_that_are_not_lowercase_uuids(string text)
        => AssertRejected(text);

    [Theory]
    [InlineData($"{Id}.-1.2..200")] // negative first seen
    [InlineData($"{Id}.100.-2..200")] // negative session count
    [InlineData($"{Id}.100.2..-200")] // negative last seen
    [InlineData($"{Id}.+100.2..200")] // explicit sign
    [InlineData($"{Id}. 100.2..200")] // whitespace
    [InlineData($"{Id}.100 .2..200")]
    [InlineData($"{Id}.1e3.2..2000")] // exponent
    [InlineData($"{Id}.0x10.2..200")] // hex
    [InlineData($"{Id}.1,000.2..2000")] // thousands separator
    [InlineData($"{Id}..2..200")] // empty number
    [InlineData($"{Id}.100.2..")]
    [InlineData($"{Id}.100...200")]
    [InlineData($"{Id}.99999999999999999999.2..99999999999999999999")] // long overflow
    [InlineData($"{Id}.253402300800.2..253402300800")] // past DateTimeOffset.MaxValue
    [InlineData($"{Id}.9223372036854775807.2..9223372036854775807")] // long.MaxValue
    [InlineData($"{Id}.100.2147483648..200")] // int overflow
    [InlineData($"{Id}.100.٣..200")] // non-ASCII digit
    public void Rejects_negative_malformed_and_overflowing_numbers(string text)
        => AssertRejected(text);

    [Fact]
    public void Accepts_the_largest_representable_time()
        => Assert.True(VisitorRecord.TryParse($"{Id}.253402300799.2..253402300799", out _));

    [Fact]
    public void Rejects_last_seen_before_first_seen()
    {
        AssertRejected($"{Id}.200.2.{SessionId}.199");
        Assert.True(VisitorRecord.TryParse($"{Id}.200.2.{SessionId}.200", out _));
    }

    [Theory]
    [InlineData("100", true)]
    [InlineData("0", true)]
    [InlineData("0100", true)]
    [InlineData("253402300799", true)]
    [InlineData("253402300800", false)]
    [InlineData("-1", false)]
    [InlineData("", false)]
    [InlineData(" 1", false)]
    public void TryParseSeconds_accepts_only_plain_digits_within_the_DateTimeOffset_range(string text, bool expected)
    {
        Assert.Equal(expected, UnixSeconds.TryParse(text, out var seconds));
        if (expected)
        {
            Assert.Equal(long.Parse(text, System.Globalization.CultureInfo.InvariantCulture), seconds);
        }
    }

    [Property(MaxTest = 10_000)]
    public bool TryParse_never_throws_on_arbitrary_strings(string? text)
    {
        var ok = VisitorRecord.TryParse(text ?? string.Empty, out var value);
        return ok == value is not null;
    }

    [Property(MaxTest = 10_000)]
    public Property TryParse_never_throws_on_record_shaped_strings_and_what_it_accepts_round_trips()
    {
        var gen = RecordShapedText();
        return Prop.ForAll(Arb.From(gen), text =>
        {
            if (!VisitorRecord.TryParse(text, out var value))
            {
                return true;
            }

            return VisitorRecord.TryParse(value.Format(), out var again)
                && again == value
                && value.LastSeen >= value.FirstSeen
                && value.FirstSeen >= 0
                && value.SessionCount >= 0;
        });
    }

    /// <summary>Visitor- and session-shaped dot-separated fields mixing genuine UUIDs, numbers and junk.</summary>
    internal static Gen<string> RecordShapedText()
    {
        var uuid = Gen.Elements(Id, SessionId, Id.ToUpperInvariant(), string.Empty, "x", Guid.NewGuid().ToString("N"));
        var number = Gen.OneOf(
            Gen.Choose(-5, 1000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("", "-0", "+1", "253402300799", "253402300800", "2147483647", "2147483648", "99999999999999999999", " 1", "1 "));
        var junk = Gen.ArrayOf(Gen.Elements("0123456789abcdef-.ABC é\0".ToCharArray())).Select(c => new string(c));
        var field = Gen.OneOf(uuid, number, junk);
        var fields = Gen.OneOf(
            Gen.CollectToArray(new[] { uuid, number, number, uuid, number }),
            Gen.CollectToArray(new[] { uuid, number, number, number, uuid }),
            Gen.ArrayOf(field));
        return fields.Select(f => string.Join('.', f));
    }

    private static void AssertRejected(string text)
    {
        Assert.False(VisitorRecord.TryParse(text, out var value));
        Assert.Null(value);
    }
}
