using System.Globalization;
using FirstParty.AspNetCore.Providers;
using static FirstParty.AspNetCore.Tests.Providers.ProviderTestSupport;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>GA4's <c>_ga</c>, derived from the visitor; <c>_ga_{container}</c> is never minted.</summary>
public sealed class GoogleAnalyticsProfileTests
{
    private const string Existing = "GA1.1.1234567890.1700000000";

    private static GoogleAnalyticsProfile Profile(Action<GoogleAnalyticsProfileOptions>? configure = null)
    {
        var options = new GoogleAnalyticsProfileOptions();
        configure?.Invoke(options);
        return new GoogleAnalyticsProfile(options);
    }

    private static (long Random, long Seconds) Split(string clientId)
    {
        var parts = clientId.Split('.');
        Assert.Equal(2, parts.Length);
        return (long.Parse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture), long.Parse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_new_visitor_gets_ga1_1_with_the_first_seen_seconds_on_the_registrable_domain()
    {
        var http = Http("www.example.com");

        Profile().Write(Context(http), missingOnly: false);

        // node: (sha256(VisitorId).readUInt32BE(0) % 2147483647) + 1 = 117501094; FirstSeen = 1748766600.
        Assert.Equal(
            [$"_ga=GA1.1.117501094.1748766600; max-age={MaxAgeCap}; domain=example.com; path=/; samesite=lax"],
            Headers(http));
    }

    [Fact]
    public void The_client_id_is_deterministic_per_visitor_id()
    {
        var first = GoogleAnalyticsProfile.DerivedClientId(new FakeVisitor());
        var again = GoogleAnalyticsProfile.DerivedClientId(new FakeVisitor { SessionId = "other", SessionIndex = 9 });
        var other = GoogleAnalyticsProfile.DerivedClientId(new FakeVisitor { VisitorId = OtherVisitorId });

        Assert.Equal(first, again);
        Assert.NotEqual(Split(first).Random, Split(other).Random);
        Assert.Equal("2142896863.1748766600", other);
        Assert.Equal(FirstSeen.ToUnixTimeSeconds(), Split(first).Seconds);
    }

    [Fact]
    public void The_random_part_is_between_1_and_2147483647()
    {
        for (var i = 0; i < 500; i++)
        {
            var (random, seconds) = Split(GoogleAnalyticsProfile.DerivedClientId(new FakeVisitor { VisitorId = Guid.NewGuid().ToString() }));
            Assert.InRange(random, 1, int.MaxValue);
            Assert.Equal(FirstSeen.ToUnixTimeSeconds(), seconds);
        }
    }

    [Theory]
    [InlineData("shop.example.co.uk", "example.co.uk")]
    [InlineData("www.example.com:8443", "example.com")]
    [InlineData("localhost", null)]
    [InlineData("127.0.0.1", null)]
    public void The_domain_is_the_registrable_domain_or_none(string host, string? domain)
    {
        var http = Http(host);

        Profile().Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.Equal("_ga", cookie.Name);
        Assert.Equal(domain is not null, cookie.HasDomain);
        Assert.Equal(domain, cookie.Domain);
        Assert.False(cookie.HttpOnly);
    }

    [Fact]
    public void Secure_and_lifetime_follow_the_options()
    {
        var http = Http("www.example.com");

        Profile(o =>
        {
            o.Secure = true;
            o.Lifetime = TimeSpan.FromDays(30);
        }).Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.True(cookie.Secure);
        Assert.Equal(30L * 86400, cookie.MaxAge);
        Assert.False(SetCookies(WriteDefault()).Single().Secure);
    }

    private static Microsoft.AspNetCore.Http.HttpContext WriteDefault()
    {
        var http = Http("www.example.com");
        Profile().Write(Context(http), missingOnly: false);
        return http;
    }

    [Theory]
    [InlineData("GA1.1.123.456", "123.456")]
    [InlineData("GA1.2.987654321.1700000000", "987654321.1700000000")]
    [InlineData("GA1.3.2147483647.1", "2147483647.1")]
    public void ClientId_parses_ga_values(string value, string clientId)
        => Assert.Equal(clientId, GoogleAnalyticsProfile.ClientId(value));

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("GA1.1.123")]
    [InlineData("GA1.1.123.456.789")]
    [InlineData("GA1.1.abc.456")]
    [InlineData("GA1.1.123.4x6")]
    [InlineData("GA1.1.-1.456")]
    [InlineData("GA1.1.+1.456")]
    [InlineData("GA1.1..456")]
    [InlineData("GS1.1.123.456")]
    [InlineData("1.1.123.456")]
    public void ClientId_rejects_other_values(string value)
        => Assert.Null(GoogleAnalyticsProfile.ClientId(value));

    [Fact]
    public void An_existing_value_is_re_sent_byte_for_byte()
    {
        var http = Http("www.example.com", $"_ga={Existing}; _gid=GA1.1.1.1");

        Profile().Write(Context(http), missingOnly: false);

        Assert.Equal(
            [$"_ga={Existing}; max-age={MaxAgeCap}; domain=example.com; path=/; samesite=lax"],
            Headers(http));
    }

    [Fact]
    public void With_missing_only_an_existing_value_is_not_re_sent()
    {
        var http = Http("www.example.com", $"_ga={Existing}");

        Profile().Write(Context(http), missingOnly: true);

        Assert.Empty(Headers(http));
    }

    [Fact]
    public void An_unreadable_existing_value_is_replaced()
    {
        var http = Http("www.example.com", "_ga=garbage");

        Profile().Write(Context(http), missingOnly: false);

        Assert.Equal("GA1.1." + GoogleAnalyticsProfile.DerivedClientId(new FakeVisitor()), Assert.Single(SetCookies(http)).Value);
    }

    [Fact]
    public void The_session_cookie_is_never_written_even_when_the_request_has_one()
    {
        var http = Http("www.example.com", "_ga_ABC123XYZ=GS2.1.s1700000000$o3$g1$t1700000100$j60$l0$h0");

        Profile().Write(Context(http), missingOnly: false);

        var cookie = Assert.Single(SetCookies(http));
        Assert.Equal("_ga", cookie.Name);
        Assert.DoesNotContain(Headers(http), h => h.StartsWith("_ga_", StringComparison.Ordinal));
    }

    [Fact]
    public void ResolveId_returns_the_cookie_client_id_or_the_derived_one()
    {
        Assert.Equal("1234567890.1700000000", Profile().ResolveId(Context(Http("www.example.com", $"_ga={Existing}"))));
        Assert.Equal("117501094.1748766600", Profile().ResolveId(Context(Http("www.example.com"))));
        Assert.Equal("117501094.1748766600", Profile().ResolveId(Context(Http("www.example.com", "_ga=GA1.1.x.y"))));
    }

    [Fact]
    public void The_declarations_list_ga_and_the_session_cookie_pattern()
    {
        var declarations = Profile().Declarations.ToList();

        Assert.Equal(["_ga", "_ga_*"], declarations.Select(d => d.Name));
        Assert.All(declarations, d => Assert.Equal(TimeSpan.FromDays(400), d.Lifetime));
        Assert.True(declarations[1].Matches("_ga_ABC123XYZ"));
    }
}
