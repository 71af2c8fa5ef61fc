using System.Globalization;
using FirstParty.AspNetCore.Consent;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FirstParty.AspNetCore.Tests;

/// <summary>The consent cookie's payload: <c>{id}.{revision}.{decidedAt}.{expiresAt}.{source}.{regime}.{region}.{granted}</c>.</summary>
public sealed class ConsentRecordTests
{
    private const string Id = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private const string Valid = $"{Id}.1.1000.2000.accept-all.0.FR.necessary+analytics";

    [Fact]
    public void Format_writes_the_documented_compact_form()
    {
        var record = new ConsentRecord(Id, 3, 1000, 2000, ConsentSources.Custom, ConsentRegime.OptOut, "US-CA", ["necessary", "analytics"]);
        Assert.Equal($"{Id}.3.1000.2000.custom.1.US-CA.necessary+analytics", record.Format());

        var none = new ConsentRecord(Id, 1, 5, 5, ConsentSources.RejectAll, ConsentRegime.Implied, null, []);
        Assert.Equal($"{Id}.1.5.5.reject-all.2..-", none.Format());
    }

    [Fact]
    public void A_decision_made_under_an_opt_out_signal_has_a_ninth_field_and_earlier_values_parse_without_it()
    {
        var record = new ConsentRecord(Id, 1, 1000, 2000, ConsentSources.AcceptAll, ConsentRegime.OptOut, "US-CA", ["necessary"], MadeUnderOptOutSignal: true);
        Assert.Equal($"{Id}.1.1000.2000.accept-all.1.US-CA.necessary.1", record.Format());
        Assert.True(ConsentRecord.TryParse(record.Format(), out var parsed));
        Assert.True(parsed.MadeUnderOptOutSignal);

        Assert.True(ConsentRecord.TryParse(Valid, out var legacy));
        Assert.False(legacy.MadeUnderOptOutSignal);

        Assert.False(ConsentRecord.TryParse(Valid + ".0", out _));
        Assert.False(ConsentRecord.TryParse(Valid + ".", out _));
        Assert.False(ConsentRecord.TryParse(Valid + ".1.1", out _));
    }

    private static readonly ConsentRecord[] Records =
    [
        new ConsentRecord(Id, 1, 1_767_614_400, 1_801_742_400, ConsentSources.AcceptAll, ConsentRegime.OptIn, "FR", ["necessary", "preferences", "analytics", "marketing"]),
        new ConsentRecord(Id, 1, 0, 0, ConsentSources.RejectAll, ConsentRegime.OptIn, null, []),
        new ConsentRecord(Id, int.MaxValue, 100, 253_402_300_799, ConsentSources.Withdraw, ConsentRegime.Implied, "US", ["necessary"]),
        new ConsentRecord(Id, 7, 100, 200, ConsentSources.Api, ConsentRegime.OptOut, "US-CA", ["a_b-c", "x1"]),
        new ConsentRecord(Id, 2, 100, 200, ConsentSources.Gpc, ConsentRegime.OptOut, "GB-ENG", ["necessary"]),
        new ConsentRecord(Id, 2, 100, 200, ConsentSources.Custom, ConsentRegime.OptIn, null, [.. Enumerable.Range(0, 64).Select(i => $"c{i}")]),
        new ConsentRecord(Id, 2, 100, 200, ConsentSources.Custom, ConsentRegime.OptIn, null, ["necessary", "marketing/youtube", "analytics"]),
    ];

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void Format_and_TryParse_round_trip(int index)
    {
        var record = Records[index];
        Span<char> buffer = stackalloc char[512];
        Assert.True(record.TryFormat(buffer, out var written));

        Assert.True(ConsentRecord.TryParse(buffer[..written], out var parsed));
        Assert.Equal(record.Id, parsed.Id);
        Assert.Equal(record.Revision, parsed.Revision);
        Assert.Equal(record.DecidedAt, parsed.DecidedAt);
        Assert.Equal(record.ExpiresAt, parsed.ExpiresAt);
        Assert.Equal(record.Source, parsed.Source);
        Assert.Same(record.Source, parsed.Source);
        Assert.Equal(record.Regime, parsed.Regime);
        Assert.Equal(record.Region, parsed.Region);
        Assert.Equal(record.Granted, parsed.Granted);
        Assert.Equal(record.Format(), parsed.Format());
    }

    [Fact]
    public void TryFormat_reports_a_destination_that_is_too_small()
    {
        var record = new ConsentRecord(Id, 1, 1000, 2000, ConsentSources.AcceptAll, ConsentRegime.OptIn, "FR", ["necessary"]);
        Span<char> buffer = stackalloc char[20];
        Assert.False(record.TryFormat(buffer, out _));
    }

    [Fact]
    public void A_dash_means_no_category_was_granted()
    {
        Assert.True(ConsentRecord.TryParse($"{Id}.1.1000.2000.reject-all.0..-", out var parsed));
        Assert.Empty(parsed.Granted);
        Assert.Null(parsed.Region);
        Assert.False(parsed.Lists("necessary"));
        Assert.False(parsed.Lists("-"));
    }

    [Fact]
    public void The_valid_sample_parses()
    {
        Assert.True(ConsentRecord.TryParse(Valid, out var parsed));
        Assert.Equal(["necessary", "analytics"], parsed.Granted);
        Assert.True(parsed.Lists("analytics"));
        Assert.False(parsed.Lists("Analytics"));
        Assert.False(parsed.Lists("marketing"));
        Assert.Equal("FR", parsed.Region);
        Assert.Equal(ConsentRegime.OptIn, parsed.Regime);
    }

    [Theory]
    [InlineData($"{Id}.1.1000.2000.accept-all.0.FR")] // 7 fields
    [InlineData($"{Id}.1.1000.2000.accept-all.0.FR.necessary.extra")] // 9 fields
    [InlineData($"{Id}.1.1000.2000.accept-all.0.FR.necessary.a.b.c")] // 11 fields
    [InlineData($"{Id}.1.1000.2000.accept-all.0.FR.necessary.")] // trailing separator
    [InlineData("")]
    [InlineData(".......")]
    [InlineData("........")]
    [InlineData(Id)]
    public void Rejects_a_wrong_field_count(string text)
        => AssertRejected(text);

    [Theory]
    [InlineData("0F8FAD5B-D9CB-469F-A165-70867728950E")] // uppercase
    [InlineData("0f8fad5bd9cb469fa16570867728950e")] // no hyphens
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950")] // too short
    [InlineData("0f8fad5b-d9cb-469f-a165-70867728950g")] // not hex
    [InlineData("{0f8fad5b-d9cb-469f-a165-70867728950e}")]
    [InlineData("")]
    public void Rejects_a_bad_consent_id(string id)
        => AssertRejected($"{id}.1.1000.2000.accept-all.0.FR.necessary");

    [Theory]
    [InlineData("banner")]
    [InlineData("Accept-All")]
    [InlineData("accept-all ")]
    [InlineData("")]
    [InlineData("accept")]
    public void Rejects_an_unknown_source(string source)
        => AssertRejected($"{Id}.1.1000.2000.{source}.0.FR.necessary");

    [Theory]
    [InlineData("accept-all")]
    [InlineData("reject-all")]
    [InlineData("custom")]
    [InlineData("withdraw")]
    [InlineData("api")]
    [InlineData("gpc")]
    public void Accepts_every_known_source(string source)
    {
        Assert.True(ConsentRecord.TryParse($"{Id}.1.1000.2000.{source}.0.FR.necessary", out var parsed));
        Assert.Equal(source, parsed.Source);
    }

    [Theory]
    [InlineData("3")]
    [InlineData("9")]
    [InlineData("-1")]
    [InlineData("00")]
    [InlineData("")]
    [InlineData("OptIn")]
    [InlineData("a")]
    [InlineData("٠")] // Arabic-Indic zero: a digit, but not an ASCII one
    public void Rejects_a_regime_out_of_range(string regime)
        => AssertRejected($"{Id}.1.1000.2000.accept-all.{regime}.FR.necessary");

    [Theory]
    [InlineData("0", ConsentRegime.OptIn)]
    [InlineData("1", ConsentRegime.OptOut)]
    [InlineData("2", ConsentRegime.Implied)]
    public void Parses_each_regime_digit(string digit, ConsentRegime expected)
    {
        Assert.True(ConsentRecord.TryParse($"{Id}.1.1000.2000.accept-all.{digit}.FR.necessary", out var parsed));
        Assert.Equal(expected, parsed.Regime);
    }

    [Theory]
    [InlineData("fr")] // not normalised
    [InlineData("FRA")]
    [InlineData("F")]
    [InlineData("us-ca")]
    [InlineData("US_CA")]
    [InlineData("US-TOOLONG")]
    [InlineData(" FR")]
    [InlineData("F1")]
    [InlineData("US-")]
    public void Rejects_a_bad_region(string region)
        => AssertRejected($"{Id}.1.1000.2000.accept-all.0.{region}.necessary");

    [Theory]
    [InlineData("")] // empty list is '-' not ''
    [InlineData("Necessary")]
    [InlineData("necessary+")]
    [InlineData("+necessary")]
    [InlineData("necessary++analytics")]
    [InlineData("necessary analytics")]
    [InlineData("necessary,analytics")]
    [InlineData("--+analytics+é")]
    [InlineData("caf\u00e9")]
    public void Rejects_bad_category_keys(string granted)
        => AssertRejected($"{Id}.1.1000.2000.accept-all.0.FR.{granted}");

    [Fact]
    public void Rejects_a_category_key_longer_than_64()
    {
        AssertRejected($"{Id}.1.1000.2000.accept-all.0.FR.{new string('a', 65)}");
        Assert.True(ConsentRecord.TryParse($"{Id}.1.1000.2000.accept-all.0.FR.{new string('a', 64)}", out _));
    }

    [Fact]
    public void Rejects_more_than_64_choices()
    {
        var sixtyFour = string.Join('+', Enumerable.Range(0, 64).Select(i => $"c{i}"));
        Assert.True(ConsentRecord.TryParse($"{Id}.1.1000.2000.accept-all.0.FR.{sixtyFour}", out var parsed));
        Assert.Equal(64, parsed.Granted.Count);

        AssertRejected($"{Id}.1.1000.2000.accept-all.0.FR.{sixtyFour}+c64");
    }

    [Theory]
    [InlineData("necessary+marketing/youtube", "marketing/youtube")]
    [InlineData("necessary+analytics+analytics/matomo+analytics/snowplow", "analytics/snowplow")]
    [InlineData("marketing/you-tube_2", "marketing/you-tube_2")]
    public void Accepts_service_choices(string granted, string service)
    {
        Assert.True(ConsentRecord.TryParse($"{Id}.1.1000.2000.custom.0..{granted}", out var parsed));
        Assert.Contains(service, parsed.Granted);
        Assert.True(parsed.Lists(service));
        Assert.True(parsed.ListsServicesOf(service[..service.IndexOf('/', StringComparison.Ordinal)]));
        Assert.Equal($"{Id}.1.1000.2000.custom.0..{granted}", parsed.Format());
    }

    [Theory]
    [InlineData("marketing/")]
    [InlineData("/youtube")]
    [InlineData("marketing/you/tube")]
    [InlineData("marketing//youtube")]
    [InlineData("Marketing/youtube")]
    [InlineData("marketing/YouTube")]
    [InlineData("/")]
    public void Rejects_bad_service_choices(string granted)
        => AssertRejected($"{Id}.1.1000.2000.custom.0..necessary+{granted}");

    [Fact]
    public void ListsServicesOf_matches_only_whole_category_keys()
    {
        var record = new ConsentRecord(Id, 1, 0, 0, ConsentSources.Custom, ConsentRegime.OptIn, null, ["necessary", "marketing2/ads", "analytics"]);
        Assert.False(record.ListsServicesOf("marketing"));
        Assert.True(record.ListsServicesOf("marketing2"));
        Assert.False(record.ListsServicesOf("analytics"));
    }

    [Fact]
    public void Rejects_an_expiry_before_the_decision()
    {
        AssertRejected($"{Id}.1.2000.1999.accept-all.0.FR.necessary");
        Assert.True(ConsentRecord.TryParse($"{Id}.1.2000.2000.accept-all.0.FR.necessary", out _));
    }

    [Theory]
    [InlineData("-1", "1000", "2000")]
    [InlineData("+1", "1000", "2000")]
    [InlineData("1 ", "1000", "2000")]
    [InlineData("", "1000", "2000")]
    [InlineData("2147483648", "1000", "2000")]
    [InlineData("1", "-1000", "2000")]
    [InlineData("1", "1000", "")]
    [InlineData("1", "1e3", "2000")]
    [InlineData("1", "1000", "253402300800")] // after DateTimeOffset.MaxValue
    [InlineData("1", "1000", "99999999999999999999")]
    public void Rejects_bad_numbers(string revision, string decidedAt, string expiresAt)
        => AssertRejected($"{Id}.{revision}.{decidedAt}.{expiresAt}.accept-all.0.FR.necessary");

    [Property(MaxTest = 10_000)]
    public bool TryParse_never_throws_on_arbitrary_strings(string? text)
    {
        var ok = ConsentRecord.TryParse(text ?? string.Empty, out var value);
        return ok == value is not null;
    }

    [Property(MaxTest = 10_000)]
    public Property TryParse_never_throws_on_record_shaped_strings_and_what_it_accepts_round_trips()
        => Prop.ForAll(Arb.From(RecordShapedText()), text =>
        {
            if (!ConsentRecord.TryParse(text, out var value))
            {
                return true;
            }

            return ConsentRecord.TryParse(value.Format(), out var again)
                && again.Format() == value.Format()
                && value.Format() == text
                && value.ExpiresAt >= value.DecidedAt
                && value.Granted.Count <= 64
                && Enum.IsDefined(value.Regime);
        });

    /// <summary>Eight-ish dot-separated fields, each drawn from genuine values and near misses.</summary>
    private static Gen<string> RecordShapedText()
    {
        var id = Gen.Elements(Id, Id.ToUpperInvariant(), string.Empty, "x", Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString());
        var number = Gen.OneOf(
            Gen.Choose(-5, 3000).Select(i => i.ToString(CultureInfo.InvariantCulture)),
            Gen.Elements("", "-0", "+1", "253402300799", "253402300800", "2147483647", "2147483648", " 1"));
        var source = Gen.Elements("accept-all", "reject-all", "custom", "withdraw", "api", "gpc", "banner", "", "ACCEPT-ALL");
        var regime = Gen.Elements("0", "1", "2", "3", "", "x", "-1", "10");
        var region = Gen.Elements("", "FR", "US-CA", "fr", "USA", "US-", "US-CA1", "GB-ENG", "US_CA");
        var key = Gen.Elements("necessary", "analytics", "marketing", "-", "", "A", "x_y", new string('k', 64), new string('k', 65), "é", "marketing/youtube", "a/", "/b", "a/b/c");
        var granted = Gen.OneOf(
            Gen.Constant("-"),
            Gen.ArrayOf(key).Select(k => string.Join('+', k)),
            Gen.Choose(62, 66).Select(n => string.Join('+', Enumerable.Range(0, n).Select(i => $"c{i}"))));
        var junk = Gen.ArrayOf(Gen.Elements("0123456789abcdef-.+_/ABC é\0".ToCharArray())).Select(c => new string(c));
        var shaped = Gen.CollectToArray(new[] { id, number, number, number, source, regime, region, granted });
        var mixed = Gen.ArrayOf(Gen.OneOf(id, number, source, regime, region, granted, junk));
        return Gen.OneOf(shaped, shaped, mixed).Select(f => string.Join('.', f));
    }

    private static void AssertRejected(string text)
    {
        Assert.False(ConsentRecord.TryParse(text, out var value));
        Assert.Null(value);
    }
}
