using System.Buffers.Text;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using FirstParty.AspNetCore.Visitors;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests;

/// <summary>Format 3: <c>3{base64url(hint, binary payload, 96-bit mac)}</c>, what every signing codec writes.</summary>
public sealed class CompactCookieFormatTests
{
    private const string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private const string IdA = "0f8fad5b-d9cb-469f-a165-70867728950e";
    private const string IdB = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
    private const string IdC = "ffffffff-ffff-4fff-bfff-ffffffffffff";
    private const string IdZero = "00000000-0000-0000-0000-000000000000";

    private static readonly TestKeyRing Keys = new();

    private static readonly VisitorRecord[] Visitors =
    [
        new(IdA, 1_767_614_400, 3, IdB, 1_767_700_800),
        new(IdA, 1_767_614_400, 0, null, 1_767_614_400),
        new(IdC, 0, 0, null, 0),
        new(IdZero, uint.MaxValue, int.MaxValue, IdC, 253_402_300_799),
    ];

    private static readonly SessionRecord[] Sessions =
    [
        new(IdB, 3, 1_767_614_400, 1_767_616_200, IdA),
        new(IdB, 1, 1_767_614_400, 1_767_614_400, null),
        new(IdZero, int.MaxValue, uint.MaxValue, 253_402_300_799, IdC),
        new(IdC, 1, 0, 0, null),
    ];

    private static readonly ConsentRecord[] Consents =
    [
        new(IdA, 1, 1_767_614_400, 1_801_742_400, ConsentSources.AcceptAll, ConsentRegime.OptIn, "DE", ["necessary", "preferences", "analytics", "marketing"]),
        new(IdA, 0, 5, 5, ConsentSources.RejectAll, ConsentRegime.Implied, null, []),
        new(IdB, int.MaxValue, uint.MaxValue, 253_402_300_799, ConsentSources.Gpc, ConsentRegime.OptOut, "US-CA", ["necessary"], MadeUnderOptOutSignal: true),
        new(IdC, 7, 1000, 2000, ConsentSources.Custom, ConsentRegime.OptIn, "GB",
            ["necessary", "marketing/youtube", "media/vimeo", "x", "my-own_category", new string('k', 64), $"{new string('c', 64)}/{new string('s', 64)}", "analytics/ga4"]),
        new(IdC, 2, 1000, 2000, ConsentSources.Withdraw, ConsentRegime.OptIn, null, [], MadeUnderOptOutSignal: true),
        new(IdC, 2, 1000, 2000, ConsentSources.Api, ConsentRegime.OptOut, "US", ["sale-of-data/snowplow"]),
    ];

    private static ProtectedCookieCodec<T> Codec<T>(string purpose, CookieKeyRing? ring = null, int cacheCapacity = 0)
        where T : class, ICookiePayload<T>
        => new(Keys.CreateSigningProtector(purpose, ring), cacheCapacity);

    private static void AssertRoundTrips<T>(string purpose, T record)
        where T : class, ICookiePayload<T>
    {
        var raw = Codec<T>(purpose).Protect(record);

        Assert.Matches("^3[A-Za-z0-9_-]+$", raw);
        Assert.Equal(CookieReadStatus.Valid, Codec<T>(purpose).TryRead(raw, out var read));
        Assert.Equal(record.Format(), read!.Format());
        if (record is not ConsentRecord)
        {
            Assert.Equal(record, read);
        }

        // The binary form on its own round-trips exactly as well.
        Span<byte> buffer = stackalloc byte[CookieProtector.MaxCompactPayloadLength];
        Assert.True(record.TryWrite(buffer, out var written));
        Assert.True(T.TryRead(buffer[..written], out var again));
        Assert.Equal(record.Format(), again!.Format());
    }

    [Fact]
    public void Visitor_records_round_trip_including_edge_values()
    {
        foreach (var record in Visitors)
        {
            AssertRoundTrips("Visitor", record);
        }
    }

    [Fact]
    public void Session_records_round_trip_including_edge_values()
    {
        foreach (var record in Sessions)
        {
            AssertRoundTrips("Session", record);
        }
    }

    [Fact]
    public void Consent_records_round_trip_with_services_unknown_keys_empty_region_and_the_opt_out_signal_flag()
    {
        foreach (var record in Consents)
        {
            AssertRoundTrips("Consent", record);
        }

        var raw = Codec<ConsentRecord>("Consent").Protect(Consents[2]);
        Assert.Equal(CookieReadStatus.Valid, Codec<ConsentRecord>("Consent").TryRead(raw, out var read));
        Assert.True(read!.MadeUnderOptOutSignal);
        Assert.Equal(ConsentRegime.OptOut, read.Regime);
        Assert.Equal("US-CA", read.Region);
        Assert.Equal(CookieReadStatus.Valid, Codec<ConsentRecord>("Consent").TryRead(Codec<ConsentRecord>("Consent").Protect(Consents[3]), out var custom));
        Assert.Equal(Consents[3].Granted, custom!.Granted);
        Assert.Equal(CookieReadStatus.Valid, Codec<ConsentRecord>("Consent").TryRead(Codec<ConsentRecord>("Consent").Protect(Consents[1]), out var none));
        Assert.Empty(none!.Granted);
        Assert.Null(none.Region);
    }

    [Property(MaxTest = 2_000)]
    public Property Any_visitor_and_session_round_trips()
    {
        var uuid = Gen.Fresh(() => Guid.NewGuid().ToString("D"));
        var seconds = Gen.Choose(0, int.MaxValue).Select(s => (long)s * 2);
        var gen =
            from id in uuid
            from other in uuid
            from start in seconds
            from delta in Gen.Choose(0, int.MaxValue)
            from count in Gen.Choose(1, int.MaxValue)
            from hasOther in Gen.Elements(true, false)
            select (Visitor: new VisitorRecord(id, start, count, hasOther ? other : null, start + delta),
                Session: new SessionRecord(id, count, start, start + delta, hasOther ? other : null));
        var visitors = Codec<VisitorRecord>("Visitor");
        var sessions = Codec<SessionRecord>("Session");
        return Prop.ForAll(Arb.From(gen), t =>
            visitors.TryRead(visitors.Protect(t.Visitor), out var v) == CookieReadStatus.Valid && v == t.Visitor
            && sessions.TryRead(sessions.Protect(t.Session), out var s) == CookieReadStatus.Valid && s == t.Session
            && visitors.Protect(t.Visitor)[0] == '3');
    }

    [Fact]
    public void A_value_the_binary_form_cannot_hold_is_written_in_format_2_and_still_round_trips()
    {
        // Past 2106 (4-byte Unix seconds) the text form still carries the time.
        var late = new VisitorRecord(IdA, 253_402_300_799, 1, null, 253_402_300_799);
        var codec = Codec<VisitorRecord>("Visitor");

        var raw = codec.Protect(late);

        Assert.StartsWith("2.", raw, StringComparison.Ordinal);
        Assert.Equal(CookieReadStatus.Valid, codec.TryRead(raw, out var read));
        Assert.Equal(late, read);
    }

    [Fact]
    public void Without_signing_secrets_values_are_still_protected_by_data_protection()
    {
        var codec = new ProtectedCookieCodec<VisitorRecord>(Keys.CreateDataProtectionProtector("Visitor"));
        var raw = codec.Protect(Visitors[0]);

        Assert.StartsWith("1.", raw, StringComparison.Ordinal);
        Assert.Equal(CookieReadStatus.Valid, codec.TryRead(raw, out var read));
        Assert.Equal(Visitors[0], read);
    }

    [Fact]
    public void A_format_2_value_still_verifies_and_is_written_back_in_format_3()
    {
        var ring = Keys.CreateKeyRing();
        var protector = Keys.CreateSigningProtector("Visitor", ring);
        var legacy = protector.Protect(Visitors[0].Format()); // what the previous release wrote
        var codec = new ProtectedCookieCodec<VisitorRecord>(protector);

        Assert.StartsWith("2.", legacy, StringComparison.Ordinal);
        Assert.Equal(CookieReadStatus.Valid, codec.TryRead(legacy, out var read));
        Assert.Equal(Visitors[0], read);

        var rewritten = codec.Protect(read!);
        Assert.StartsWith("3", rewritten, StringComparison.Ordinal);
        Assert.True(rewritten.Length < legacy.Length);
        Assert.Equal(CookieReadStatus.Valid, Codec<VisitorRecord>("Visitor", ring).TryRead(rewritten, out var again));
        Assert.Equal(Visitors[0], again);
    }

    [Fact]
    public void The_value_is_the_version_the_key_hint_the_payload_and_a_96_bit_mac()
    {
        var ring = Keys.CreateKeyRing();
        var record = Visitors[0];
        var raw = Codec<VisitorRecord>("Visitor", ring).Protect(record);

        var bytes = Base64Url.DecodeFromChars(raw.AsSpan(1));
        Assert.Equal(Convert.ToByte(ring.Current!.Id[..2], 16), bytes[0]);
        Assert.Equal(Guid.Parse(IdA), new Guid(bytes.AsSpan(1, 16), bigEndian: true));
        Span<byte> payload = stackalloc byte[CookieProtector.MaxCompactPayloadLength];
        Assert.True(record.TryWrite(payload, out var length));
        Assert.Equal(1 + length + 12, bytes.Length);
        Assert.True(bytes.AsSpan(1, length).SequenceEqual(payload[..length]));
        Assert.Equal(1 + Base64Url.GetEncodedLength(bytes.Length), raw.Length);
    }

    [Fact]
    public void Changing_any_character_of_a_value_makes_it_forged_or_malformed()
    {
        var values = new (string Raw, Func<string, CookieReadStatus> Read)[]
        {
            (Codec<VisitorRecord>("Visitor").Protect(Visitors[0]), raw => Codec<VisitorRecord>("Visitor").TryRead(raw, out _)),
            (Codec<SessionRecord>("Session").Protect(Sessions[0]), raw => Codec<SessionRecord>("Session").TryRead(raw, out _)),
            (Codec<ConsentRecord>("Consent").Protect(Consents[3]), raw => Codec<ConsentRecord>("Consent").TryRead(raw, out _)),
        };

        foreach (var (raw, read) in values)
        {
            Assert.Equal(CookieReadStatus.Valid, read(raw));
            for (var position = 0; position < raw.Length; position++)
            {
                foreach (var replacement in Base64UrlAlphabet + ".=+/ 123")
                {
                    if (replacement == raw[position])
                    {
                        continue;
                    }

                    var mutated = string.Concat(raw.AsSpan(0, position), [replacement], raw.AsSpan(position + 1));
                    var status = read(mutated);
                    Assert.True(status is CookieReadStatus.Forged or CookieReadStatus.Malformed or CookieReadStatus.UnsupportedVersion, $"{mutated}: {status}");
                }
            }
        }
    }

    [Fact]
    public void Truncated_extended_and_garbage_values_are_malformed_or_forged_and_never_throw()
    {
        var codec = Codec<ConsentRecord>("Consent");
        var raw = codec.Protect(Consents[0]);
        for (var length = 1; length < raw.Length; length++)
        {
            Assert.True(codec.TryRead(raw.AsSpan(0, length), out var value) is CookieReadStatus.Malformed or CookieReadStatus.Forged);
            Assert.Null(value);
        }

        foreach (var suffix in new[] { "A", "AA", "AAA", "AAAA", "=", "==", ".", " " })
        {
            Assert.NotEqual(CookieReadStatus.Valid, codec.TryRead(raw + suffix, out _));
        }

        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead("3", out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead("3A", out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead("3" + new string('A', 2000), out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead("3" + raw[1..^2] + "!!", out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead("3" + raw[1..] + "=", out _));
        Assert.Equal(CookieReadStatus.Malformed, codec.TryRead("3" + raw[1..10] + " " + raw[10..], out _));
        Assert.Equal(CookieReadStatus.Forged, codec.TryRead("3" + new string('A', 80), out _));
        Assert.Equal(CookieReadStatus.UnsupportedVersion, codec.TryRead("3.AAAA", out _));
    }

    [Property(MaxTest = 5_000)]
    public Property Random_format_3_values_never_throw_nor_verify()
    {
        var codec = Codec<ConsentRecord>("Consent");
        var gen = Gen.ArrayOf(Gen.Elements((Base64UrlAlphabet + "=.% é").ToCharArray())).ScaleSize(size => size * 3).Select(c => "3" + new string(c));
        return Prop.ForAll(Arb.From(gen), raw => codec.TryRead(raw, out var value) != CookieReadStatus.Valid && value is null);
    }

    [Fact]
    public void A_signed_payload_that_is_not_a_record_is_malformed()
    {
        // Valid MACs over bytes no record writes: trailing bytes, a half id, a non-canonical varint,
        // a spelled-out dictionary key, an unknown dictionary code, an unknown source.
        var ring = Keys.CreateKeyRing();
        Span<byte> good = stackalloc byte[CookieProtector.MaxCompactPayloadLength];
        Assert.True(Visitors[0].TryWrite(good, out var length));
        var visitorBytes = good[..length].ToArray();
        Span<byte> consentBuffer = stackalloc byte[CookieProtector.MaxCompactPayloadLength];
        Assert.True(Consents[0].TryWrite(consentBuffer, out var consentLength));
        var consentBytes = consentBuffer[..consentLength].ToArray();
        var granted = consentLength - 4; // the four dictionary codes at the end

        Assert.Equal(CookieReadStatus.Valid, ReadSigned<VisitorRecord>(ring, "Visitor", visitorBytes));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<VisitorRecord>(ring, "Visitor", [.. visitorBytes, 0]));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<VisitorRecord>(ring, "Visitor", visitorBytes[..^8]));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<VisitorRecord>(ring, "Visitor", visitorBytes[..10]));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<VisitorRecord>(ring, "Visitor", [.. visitorBytes[..20], 0x83, 0x00, .. visitorBytes[21..]]));

        Assert.Equal(CookieReadStatus.Valid, ReadSigned<ConsentRecord>(ring, "Consent", consentBytes));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<ConsentRecord>(ring, "Consent", [.. consentBytes[..granted], 9, .. "necessary"u8]));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<ConsentRecord>(ring, "Consent", [.. consentBytes[..granted], 0xFE]));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<ConsentRecord>(ring, "Consent", [.. consentBytes[..granted], 0x7F, 0x80]));
        Assert.Equal(CookieReadStatus.Malformed, ReadSigned<ConsentRecord>(ring, "Consent", [.. consentBytes[..granted], 2, .. "AB"u8]));
        Assert.Equal(CookieReadStatus.Valid, ReadSigned<ConsentRecord>(ring, "Consent", [.. consentBytes[..granted], 2, .. "ab"u8]));

        static CookieReadStatus ReadSigned<T>(CookieKeyRing ring, string purpose, byte[] payload)
            where T : class, ICookiePayload<T>
        {
            var buffer = new char[CookieProtector.MaxValueLength];
            Assert.True(Keys.CreateSigningProtector(purpose, ring).TryProtectCompact(new BytesPayload(payload), buffer, out var written));
            var raw = new string(buffer, 0, written);
            return new ProtectedCookieCodec<T>(Keys.CreateSigningProtector(purpose, ring), 0).TryRead(raw, out _);
        }
    }

    [Fact]
    public void Values_signed_by_older_ring_keys_verify_also_when_key_hints_collide()
    {
        using var keys = new TestKeyRing(createKey: false);
        var start = DateTimeOffset.UtcNow.AddDays(-1);
        var ids = new List<Guid>();
        (int First, int Second)? collision = null;
        for (var i = 0; collision is null && i < 300; i++)
        {
            var key = keys.KeyManager.CreateNewKey(start.AddMinutes(i), start.AddDays(90));
            var hint = key.KeyId.ToString("N")[..2];
            var earlier = ids.FindIndex(id => id.ToString("N")[..2] == hint);
            ids.Add(key.KeyId);
            if (earlier >= 0)
            {
                collision = (earlier, i);
            }
        }

        var (first, second) = collision!.Value;
        CookieKeyRing RingAt(int key) => keys.CreateKeyRing(new FakeTimeProvider(start.AddMinutes(key).AddSeconds(30)));
        var underFirst = new ProtectedCookieCodec<VisitorRecord>(keys.CreateSigningProtector("Visitor", RingAt(first)), 0).Protect(Visitors[0]);
        var underSecond = new ProtectedCookieCodec<VisitorRecord>(keys.CreateSigningProtector("Visitor", RingAt(second)), 0).Protect(Visitors[1]);
        Assert.Equal(Base64Url.DecodeFromChars(underFirst.AsSpan(1))[0], Base64Url.DecodeFromChars(underSecond.AsSpan(1))[0]); // one hint, two keys

        // Verified by an instance whose current key is newer than both.
        var later = keys.KeyManager.CreateNewKey(start.AddMinutes(second + 1), start.AddDays(90));
        var verifier = new ProtectedCookieCodec<VisitorRecord>(keys.CreateSigningProtector("Visitor", RingAt(second + 1)), 0);
        Assert.NotEqual(ids[second], later.KeyId);
        Assert.Equal(CookieReadStatus.Valid, verifier.TryRead(underFirst, out var a));
        Assert.Equal(Visitors[0], a);
        Assert.Equal(CookieReadStatus.Valid, verifier.TryRead(underSecond, out var b));
        Assert.Equal(Visitors[1], b);

        // A revoked key stops verifying even though another key shares its hint.
        keys.KeyManager.RevokeKey(ids[first]);
        var afterRevocation = new ProtectedCookieCodec<VisitorRecord>(keys.CreateSigningProtector("Visitor", RingAt(second + 1)), 0);
        Assert.Equal(CookieReadStatus.Forged, afterRevocation.TryRead(underFirst, out _));
        Assert.Equal(CookieReadStatus.Valid, afterRevocation.TryRead(underSecond, out _));
    }

    [Fact]
    public void A_value_of_another_key_ring_or_purpose_is_forged()
    {
        using var other = new TestKeyRing();
        var foreign = new ProtectedCookieCodec<VisitorRecord>(other.CreateSigningProtector("Visitor"), 0).Protect(Visitors[0]);
        Assert.StartsWith("3", foreign, StringComparison.Ordinal);
        Assert.Equal(CookieReadStatus.Forged, Codec<VisitorRecord>("Visitor").TryRead(foreign, out _));

        // A session value that happens to be a valid visitor payload byte-wise is still refused.
        var session = Codec<SessionRecord>("Session").Protect(Sessions[0]);
        Assert.Equal(CookieReadStatus.Forged, Codec<VisitorRecord>("Visitor").TryRead(session, out _));
    }

    /// <summary>
    /// Issue 15's budget: a returning browser of the Razor Pages sample (accept-all of its four
    /// categories, region US-CA, a visitor with a last session and a session with a previous one) sends
    /// at most 250 bytes of <c>Cookie</c> header for the three FirstParty cookies, names included.
    /// </summary>
    [Fact]
    public void The_three_cookies_of_a_returning_visitor_fit_in_250_bytes()
    {
        var now = 1_796_610_156L;
        var visitor = new VisitorRecord(RandomUuid(), now - 300 * 86_400, 250, RandomUuid(), now - 3_600);
        var session = new SessionRecord(visitor.LastSessionId!, 250, now - 1_200, now - 60, RandomUuid());
        var consent = new ConsentRecord(RandomUuid(), 1, now - 200 * 86_400, now + 195 * 86_400, ConsentSources.AcceptAll, ConsentRegime.OptOut, "US-CA",
            ["necessary", "preferences", "analytics", "marketing"]);

        var header = $"_fp_id={Codec<VisitorRecord>("Visitor").Protect(visitor)}; _fp_ses={Codec<SessionRecord>("Session").Protect(session)}; _fp_consent={Codec<ConsentRecord>("Consent").Protect(consent)}";
        var legacy = $"_fp_id={Keys.CreateSigningProtector("Visitor").Protect(visitor.Format())}; _fp_ses={Keys.CreateSigningProtector("Session").Protect(session.Format())}; _fp_consent={Keys.CreateSigningProtector("Consent").Protect(consent.Format())}";

        Assert.True(header.Length <= 250, $"{header.Length} bytes: {header}");
        Assert.True(legacy.Length >= 400, $"format 2 was {legacy.Length} bytes");

        static string RandomUuid() => Internal.RandomIds.NewUuid();
    }

    /// <summary>Signs arbitrary bytes as a format-3 payload, to reach the record readers past a valid MAC.</summary>
    private sealed record BytesPayload(byte[] Bytes) : ICookiePayload<BytesPayload>
    {
        public static bool TryRead(ReadOnlySpan<byte> data, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BytesPayload? value)
        {
            value = new BytesPayload(data.ToArray());
            return true;
        }

        public bool TryWrite(Span<byte> destination, out int written)
        {
            written = Bytes.Length;
            return Bytes.AsSpan().TryCopyTo(destination);
        }

        public static bool TryParse(ReadOnlySpan<char> text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BytesPayload? value)
        {
            value = null;
            return false;
        }

        public bool TryFormat(Span<char> destination, out int written)
        {
            written = 0;
            return false;
        }

        public string Format() => string.Empty;
    }
}
