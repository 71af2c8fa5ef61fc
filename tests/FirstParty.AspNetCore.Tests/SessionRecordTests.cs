using FirstParty.AspNetCore.Visitors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FirstParty.AspNetCore.Tests;

public sealed class SessionRecordTests
{
    private const string Id = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    private const string PreviousId = "0f8fad5b-d9cb-469f-a165-70867728950e";

    [Fact]
    public void Format_writes_the_documented_compact_form()
    {
        Assert.Equal($"{Id}.3.100.160.{PreviousId}", new SessionRecord(Id, 3, 100, 160, PreviousId).Format());
        Assert.Equal($"{Id}.1.100.100.", new SessionRecord(Id, 1, 100, 100, null).Format());
    }

    [Theory]
    [InlineData(1, 0L, 0L, null)]
    [InlineData(1, 1_767_614_400L, 1_767_614_461L, null)]
    [InlineData(2, 1_767_614_400L, 1_767_614_400L, PreviousId)]
    [InlineData(int.MaxValue, 253_402_300_799L, 253_402_300_799L, PreviousId)]
    public void Format_and_TryParse_round_trip(int index, long start, long lastActivity, string? previousId)
    {
        var record = new SessionRecord(Id, index, start, lastActivity, previousId);

        Assert.True(SessionRecord.TryParse(record.Format(), out var parsed));
        Assert.Equal(record, parsed);
    }

    [Fact]
    public void An_empty_previous_id_parses_as_null()
    {
        Assert.True(SessionRecord.TryParse($"{Id}.1.100.100.", out var parsed));
        Assert.Null(parsed.PreviousId);
    }

    [Theory]
    [InlineData($"{Id}.1.100.100")] // 4 fields
    [InlineData($"{Id}.1.100.100..")] // 6 fields
    [InlineData($"{Id}.1.100.100.{PreviousId}.x")]
    [InlineData("")]
    [InlineData("....")]
    public void Rejects_a_wrong_field_count(string text)
        => AssertRejected(text);

    [Theory]
    [InlineData("7C9E6679-7425-40DE-944B-E07FC1F90AE7.1.100.100.")] // uppercase id
    [InlineData($"{Id}.1.100.100.0F8FAD5B-D9CB-469F-A165-70867728950E")] // uppercase previous id
    [InlineData("7c9e6679742540de944be07fc1f90ae7.1.100.100.")] // no hyphens
    [InlineData(".1.100.100.")] // empty id
    [InlineData($"{Id}.1.100.100.previous")]
    public void Rejects_ids_that_are_not_lowercase_uuids(string text)
        => AssertRejected(text);

    [Theory]
    [InlineData($"{Id}.0.100.100.")] // index 0
    [InlineData($"{Id}.-1.100.100.")] // negative index
    [InlineData($"{Id}.2147483648.100.100.")] // index overflow
    [InlineData($"{Id}..100.100.")] // empty index
    [InlineData($"{Id}.1.-100.100.")] // negative start
    [InlineData($"{Id}.1.100.-100.")] // negative last activity
    [InlineData($"{Id}.1.+100.100.")]
    [InlineData($"{Id}.1. 100.100.")]
    [InlineData($"{Id}.1.99999999999999999999.99999999999999999999.")] // long overflow
    [InlineData($"{Id}.1.253402300800.253402300800.")] // past DateTimeOffset.MaxValue
    public void Rejects_bad_indexes_and_numbers(string text)
        => AssertRejected(text);

    [Fact]
    public void Rejects_last_activity_before_start()
    {
        AssertRejected($"{Id}.1.200.199.");
        Assert.True(SessionRecord.TryParse($"{Id}.1.200.200.", out _));
    }

    [Property(MaxTest = 10_000)]
    public bool TryParse_never_throws_on_arbitrary_strings(string? text)
    {
        var ok = SessionRecord.TryParse(text ?? string.Empty, out var value);
        return ok == value is not null;
    }

    [Property(MaxTest = 10_000)]
    public Property TryParse_never_throws_on_record_shaped_strings_and_what_it_accepts_round_trips()
        => Prop.ForAll(Arb.From(VisitorRecordTests.RecordShapedText()), text =>
        {
            if (!SessionRecord.TryParse(text, out var value))
            {
                return true;
            }

            return SessionRecord.TryParse(value.Format(), out var again)
                && again == value
                && value.Index >= 1
                && value.LastActivity >= value.Start;
        });

    private static void AssertRejected(string text)
    {
        Assert.False(SessionRecord.TryParse(text, out var value));
        Assert.Null(value);
    }
}
