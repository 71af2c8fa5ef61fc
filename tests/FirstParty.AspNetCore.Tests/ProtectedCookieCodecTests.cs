using System.Buffers.Text;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using FirstParty.AspNetCore.Visitors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.AspNetCore.DataProtection;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Typed cookie values over the wire formats: 3 (signed, binary, the default), 2 (signed text, still read) and 1 (Data Protection).</summary>
public sealed class ProtectedCookieCodecTests
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static readonly TestKeyRing Keys = new();
    private static readonly CookieProtector Signing = Keys.CreateSigningProtector("Visitor");
    private static readonly CookieProtector DataProtection = Keys.CreateDataProtectionProtector("Visitor");

    private static readonly VisitorRecord Sample = new(
        "0f8fad5b-d9cb-469f-a165-70867728950e", 1_767_614_400, 3, "7c9e6679-7425-40de-944b-e07fc1f90ae7", 1_767_700_800);

    private static readonly VisitorRecord[] Records =
    [
        Sample,
        new("e4eaaaf2-d142-41c6-a8d8-6f7a8f8b7d2c", 0, 0, null, 0),
        new("16fd2706-8baf-433b-82eb-8c7fada847da", 253_402_300_799, int.MaxValue, "a8098c1a-f86e-41d6-a8c8-0000000000ff", 253_402_300_799),
    ];

    /// <summary>Genuine values of every record in both formats, with the record each holds.</summary>
    private static readonly (string Raw, VisitorRecord Record)[] Genuine =
    [
        .. Records.Select(r => (new ProtectedCookieCodec<VisitorRecord>(Signing).Protect(r), r)),
        .. Records.Select(r => (new ProtectedCookieCodec<VisitorRecord>(DataProtection).Protect(r), r)),
    ];

    private static readonly char[] MutationChars = [.. Base64UrlAlphabet, '.', '=', '+', '/', '%', ' ', '\t', '"', ';', '\0', 'é', '€', '\uD83D', '1', '2', '3'];

    public enum Format
    {
        Signed,
        DataProtection,
    }

    private static CookieProtector Protector(Format format) => format == Format.Signed ? Signing : DataProtection;

    private static ProtectedCookieCodec<VisitorRecord> NewCodec(Format format = Format.Signed, int cacheCapacity = 10_000)
        => new(Protector(format), cacheCapacity);

    [Theory]
    [InlineData(Format.Signed, "3")]
    [InlineData(Format.DataProtection, "1.")]
    public void Protect_then_TryRead_round_trips(Format format, string prefix)
    {
        var codec = NewCodec(format);
        foreach (var record in Records)
        {
            var raw = codec.Protect(record);

            // Format 3 holds times up to 2106; the text format (2) carries the rest.
            var expected = format == Format.Signed && record.LastSeen > uint.MaxValue ? "2." : prefix;
            Assert.StartsWith(expected, raw, StringComparison.Ordinal);
            Assert.InRange(raw.Length, 3, ProtectedCookieCodec<VisitorRecord>.MaxValueLength);
            Assert.Equal(CookieReadStatus.Valid, codec.TryRead(raw, out var read));
            Assert.Equal(record, read);
        }
    }

    [Theory]
    [InlineData(Format.Signed)]
    [InlineData(Format.DataProtection)]
    public void A_fresh_codec_reads_a_value_it_did_not_write(Format format)
    {
        // No help from the verified-values cache: the value is verified from scratch.
        var raw = NewCodec(format).Protect(Sample);
        Assert.Equal(CookieReadStatus.Valid, NewCodec(format, cacheCapacity: 0).TryRead(raw, out var read));
        Assert.Equal(Sample, read);
    }

    [Fact]
    public void A_signing_codec_still_reads_data_protection_values()
    {
        var protectedValue = NewCodec(Format.DataProtection).Protect(Sample);

        Assert.Equal(CookieReadStatus.Valid, NewCodec(Format.Signed).TryRead(protectedValue, out var read));
        Assert.Equal(Sample, read);
    }

    [Fact]
    public void Repeated_reads_are_valid_and_equal_also_when_the_cache_starts_over()
    {
        var codec = NewCodec(cacheCapacity: 1);
        for (var i = 0; i < 4; i++)
        {
            foreach (var (raw, record) in Genuine)
            {
                Assert.Equal(CookieReadStatus.Valid, codec.TryRead(raw, out var read));
                Assert.Equal(record, read);
            }
        }
    }

    [Theory]
    [InlineData(Format.Signed)]
    [InlineData(Format.DataProtection)]
    public void A_value_from_another_key_ring_is_forged(Format format)
    {
        using var otherKeys = new TestKeyRing();
        var other = format == Format.Signed ? otherKeys.CreateSigningProtector("Visitor") : otherKeys.CreateDataProtectionProtector("Visitor");
        var foreign = new ProtectedCookieCodec<VisitorRecord>(other).Protect(Sample);

        Assert.Equal(CookieReadStatus.Forged, NewCodec(Format.Signed).TryRead(foreign, out var value));
        Assert.Null(value);
        Assert.Equal(CookieReadStatus.Forged, NewCodec(Format.DataProtection).TryRead(foreign, out _));
    }

    [Fact]
    public void A_value_protected_by_an_ephemeral_provider_is_forged()
    {
        var ephemeral = new ProtectedCookieCodec<VisitorRecord>(new EphemeralDataProtectionProvider().CreateProtector("FirstParty.AspNetCore.Cookies"));
        var foreign = ephemeral.Protect(Sample);

        Assert.StartsWith("1.", foreign, StringComparison.Ordinal);
        Assert.Equal(CookieReadStatus.Valid, ephemeral.TryRead(foreign, out _));
        Assert.Equal(CookieReadStatus.Forged, NewCodec().TryRead(foreign, out _));
    }

    [Theory]
    [InlineData(Format.Signed)]
    [InlineData(Format.DataProtection)]
    public void A_value_of_another_cookie_kind_is_forged(Format format)
    {
        var session = new SessionRecord("7c9e6679-7425-40de-944b-e07fc1f90ae7", 1, 100, 100, null);
        var sessionProtector = format == Format.Signed ? Keys.CreateSigningProtector("Session") : Keys.CreateDataProtectionProtector("Session");
        var sessionValue = new ProtectedCookieCodec<SessionRecord>(sessionProtector).Protect(session);

        Assert.Equal(CookieReadStatus.Forged, NewCodec(format).TryRead(sessionValue, out _));
        Assert.Equal(CookieReadStatus.Forged, new ProtectedCookieCodec<SessionRecord>(sessionProtector).TryRead(NewCodec(format).Protect(Sample), out _));
    }

    [Fact]
    public void Random_base64url_bytes_are_forged()
    {
        var raw = "1." + Base64Url.EncodeToString(new byte[96]);
        Assert.Equal(CookieReadStatus.Forged, NewCodec().TryRead(raw, out var value));
        Assert.Null(value);
    }

    [Theory]
    [InlineData("3.abc")]
    [InlineData("9.AAAA")]
    [InlineData("0.AAAA")]
    public void Another_format_version_is_unsupported(string raw)
        => Assert.Equal(CookieReadStatus.UnsupportedVersion, NewCodec().TryRead(raw, out _));

    [Fact]
    public void A_genuine_value_relabelled_with_another_version_is_not_valid()
    {
        var signed = Signing.Protect(Sample.Format()); // format 2
        Assert.Equal(CookieReadStatus.UnsupportedVersion, NewCodec().TryRead("3" + signed[1..], out var value));
        Assert.Null(value);
        Assert.NotEqual(CookieReadStatus.Valid, NewCodec().TryRead("1" + signed[1..], out _));

        var compact = Genuine[0].Raw; // format 3
        Assert.StartsWith("3", compact, StringComparison.Ordinal);
        Assert.Equal(CookieReadStatus.Malformed, NewCodec().TryRead("2" + compact[1..], out _));
        Assert.Equal(CookieReadStatus.Malformed, NewCodec().TryRead("1" + compact[1..], out _));
        Assert.NotEqual(CookieReadStatus.Valid, NewCodec().TryRead("2." + compact[1..], out _));

        var protectedValue = NewCodec(Format.DataProtection).Protect(Sample);
        Assert.Equal(CookieReadStatus.Malformed, NewCodec().TryRead("2" + protectedValue[1..], out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1.")]
    [InlineData("2.")]
    [InlineData("1x")]
    [InlineData("1.!!!!")]
    [InlineData("1.not base64 at all!")]
    [InlineData("1.%41%41%41%41")]
    [InlineData("%41")]
    [InlineData("%41.AAAA")]
    [InlineData("1.é")]
    [InlineData("1.AAAé")]
    [InlineData("é.AAAA")]
    [InlineData("1.A")]
    [InlineData("1.AAAAA")]
    [InlineData("1.====")]
    [InlineData("1.  ")]
    [InlineData("12.AAAA")]
    [InlineData(".1AAAA")]
    [InlineData("v1.AAAA")]
    [InlineData("2.AAAA")]
    [InlineData("2.abcdef01.AAAAAAAAAAAAAAAAAAAAAA.")] // empty payload
    [InlineData("2.abcdef01.AAAAAAAAAAAAAAAAAAAAAA")] // no payload separator
    [InlineData("2.abcdef01xAAAAAAAAAAAAAAAAAAAAAA.payload")] // wrong separator after the key id
    [InlineData("2.abcdef01.AAAAAAAAAAAAAAAAAAAAAAxpayload")] // wrong separator after the mac
    [InlineData("2.abcdef01.AAAAAAAAAA!AAAAAAAAAAA.payload")] // mac is not base64url
    [InlineData("2.abcdef01.AAAAAAAAAAAAAAAAAAAAA=.payload")] // padded mac decodes to 15 bytes
    [InlineData("2.abcdef01.AAAAAAAAAAAAAAAAAAAAAA.payloadé")] // non-ASCII payload
    public void Malformed_values_are_malformed(string raw)
    {
        Assert.Equal(CookieReadStatus.Malformed, NewCodec().TryRead(raw, out var value));
        Assert.Null(value);
    }

    [Fact]
    public void A_truncated_genuine_value_is_never_valid()
    {
        var codec = NewCodec(cacheCapacity: 0);
        foreach (var (raw, _) in Genuine)
        {
            Assert.Equal(CookieReadStatus.Malformed, codec.TryRead(raw.AsSpan(0, 1), out _));
            Assert.Equal(CookieReadStatus.Malformed, codec.TryRead(raw.AsSpan(0, 2), out _));
            for (var length = 3; length < raw.Length; length++)
            {
                var status = codec.TryRead(raw.AsSpan(0, length), out var value);
                Assert.True(status is CookieReadStatus.Malformed or CookieReadStatus.Forged, $"{raw[..length]}: {status}");
                Assert.Null(value);
            }
        }
    }

    [Theory]
    [InlineData(Format.Signed)]
    [InlineData(Format.DataProtection)]
    public void A_genuine_payload_that_is_not_a_record_is_malformed(Format format)
    {
        var protector = Protector(format);
        var codec = new ProtectedCookieCodec<VisitorRecord>(protector);

        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead(protector.Protect("not a visitor record"), out var value));
        Assert.Null(value);
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead(protector.Protect(Sample.Format().ToUpperInvariant()), out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead(protector.Protect(Sample.Format() + ".extra"), out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead(protector.Protect(Sample.Format() + new string('0', 300)), out _)); // lastSeen overflows

        // The same protector does produce a value the codec accepts.
        Assert.Equal(CookieReadStatus.Valid, codec.TryRead(protector.Protect(Sample.Format()), out var read));
        Assert.Equal(Sample, read);
    }

    [Fact]
    public void Values_longer_than_4096_characters_are_oversized()
    {
        var codec = NewCodec();
        Assert.Equal(CookieReadStatus.Oversized, codec.TryRead(new string('A', 5000), out var value));
        Assert.Null(value);
        Assert.Equal(CookieReadStatus.Oversized, codec.TryRead("1." + new string('A', 4095), out _));
        Assert.Equal(CookieReadStatus.Oversized, codec.TryRead(Genuine[0].Raw + new string('A', 4096), out _));

        // 4096 characters is still read (and here fails as forged, not as oversized).
        Assert.Equal(CookieReadStatus.Forged, codec.TryRead("1." + new string('A', 4094), out _));
    }

    [Property(MaxTest = 10_000)]
    public bool TryRead_never_throws_nor_accepts_an_arbitrary_string(string? input)
    {
        var status = NewCodec().TryRead(input ?? string.Empty, out var value);
        return status != CookieReadStatus.Valid && value is null;
    }

    [Property(MaxTest = 10_000)]
    public Property TryRead_never_throws_nor_accepts_a_random_version_1_value()
    {
        var codec = NewCodec();
        var gen = Gen.ArrayOf(Gen.Elements(MutationChars))
            .ScaleSize(size => size * 4)
            .Select(chars => "1." + new string(chars));
        return Prop.ForAll(Arb.From(gen), raw => codec.TryRead(raw, out var value) != CookieReadStatus.Valid && value is null);
    }

    [Property(MaxTest = 10_000)]
    public Property TryRead_never_throws_nor_accepts_a_random_signed_value_even_with_a_real_key_id()
    {
        var codec = NewCodec();
        var keyId = Keys.CreateKeyRing().Current!.Id;
        var mac = Gen.ArrayOf(Gen.Elements(Base64UrlAlphabet.ToCharArray()), 22).Select(c => new string(c));
        var gen =
            from id in Gen.Elements(keyId, "00000000", keyId.ToUpperInvariant())
            from m in mac
            from payload in Gen.Elements(Records.Select(r => r.Format()).ToArray())
            select $"2.{id}.{m}.{payload}";
        return Prop.ForAll(Arb.From(gen), raw => codec.TryRead(raw, out var value) != CookieReadStatus.Valid && value is null);
    }

    [Property(MaxTest = 10_000)]
    public Property Changing_one_character_of_a_genuine_value_never_yields_another_payload()
    {
        var codec = NewCodec(cacheCapacity: 0);
        var gen =
            from which in Gen.Choose(0, Genuine.Length - 1)
            from position in Gen.Choose(0, Genuine[which].Raw.Length - 1)
            from replacement in Gen.Elements(MutationChars)
            select (which, position, replacement);
        return Prop.ForAll(Arb.From(gen), t =>
        {
            var (raw, record) = Genuine[t.which];
            var mutated = string.Concat(raw.AsSpan(0, t.position), [t.replacement], raw.AsSpan(t.position + 1));
            var status = codec.TryRead(mutated, out var value);
            return status == CookieReadStatus.Valid
                ? Equals(value, record)
                : value is null;
        });
    }

    [Property(MaxTest = 10_000)]
    public Property Truncating_or_deleting_from_a_genuine_value_never_yields_a_valid_value()
    {
        var codec = NewCodec(cacheCapacity: 0);
        var gen =
            from which in Gen.Choose(0, Genuine.Length - 1)
            from position in Gen.Choose(0, Genuine[which].Raw.Length - 1)
            from truncate in Gen.Elements(true, false)
            select (which, position, truncate);
        return Prop.ForAll(Arb.From(gen), t =>
        {
            var raw = Genuine[t.which].Raw;
            var mutated = t.truncate ? raw[..t.position] : raw.Remove(t.position, 1);
            return codec.TryRead(mutated, out var value) != CookieReadStatus.Valid && value is null;
        });
    }
}
