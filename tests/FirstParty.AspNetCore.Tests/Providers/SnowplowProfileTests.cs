using System.Globalization;
using FirstParty.AspNetCore.Providers;
using static FirstParty.AspNetCore.Tests.Providers.ProviderTestSupport;

namespace FirstParty.AspNetCore.Tests.Providers;

/// <summary>The Snowplow browser tracker's <c>_sp_id.{hash}</c> and <c>_sp_ses.{hash}</c>, as the tracker names and reads them.</summary>
public sealed class SnowplowProfileTests
{
    private const string SdkValue = "0a1b2c3d-sdk-duid.1700000000.4.1700000500.1699990000.3f1c-sess.2e0b-prev.9d8c-event.1700000500123.7";

    private static SnowplowProfile Profile(Action<SnowplowProfileOptions>? configure = null)
    {
        var options = new SnowplowProfileOptions();
        configure?.Invoke(options);
        return new SnowplowProfile(options);
    }

    private static string[] Fields(string value) => value.Split('.');

    [Theory]
    [InlineData("example.com", "8809")]
    [InlineData(".example.com", "62df")]
    [InlineData("www.example.com", "2a0b")]
    [InlineData("shop.example.co.uk", "2479")]
    [InlineData("localhost", "1fff")]
    [InlineData("127.0.0.1", "dc78")]
    public void The_hash_is_the_first_four_hex_digits_of_sha1_over_domain_and_path(string domain, string hash)
        => Assert.Equal(hash, SnowplowProfile.Hash(domain));

    [Fact]
    public void A_minted_value_has_the_ten_fields_of_a_fresh_tracker_cookie()
    {
        var visitor = new FakeVisitor { SessionIndex = 3, SessionId = SessionId, PreviousSessionId = PreviousSessionId };

        var fields = Fields(SnowplowProfile.Mint(visitor, Now));

        Assert.Equal(
            [
                VisitorId,
                FirstSeen.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                "3",
                Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                string.Empty,
                SessionId,
                PreviousSessionId,
                string.Empty,
                string.Empty,
                "0",
            ],
            fields);
    }

    [Fact]
    public void A_first_visit_counts_one_visit_and_has_no_previous_session()
    {
        var fields = Fields(SnowplowProfile.Mint(new FakeVisitor { SessionIndex = 0, PreviousSessionId = null }, Now));

        Assert.Equal(10, fields.Length);
        Assert.Equal("1", fields[2]);
        Assert.Equal(string.Empty, fields[6]);
        Assert.Equal(SessionId, fields[5]);
        Assert.Equal("1748766600", fields[1]);
        Assert.Equal("1767614400", fields[3]);
    }

    [Fact]
    public void Without_a_current_session_the_session_field_is_still_filled()
    {
        // An empty sessionId would make the tracker invent one and then rotate it into previousSessionId.
        var fields = Fields(SnowplowProfile.Mint(new FakeVisitor { SessionId = null }, Now));

        Assert.Equal(10, fields.Length);
        Assert.NotEqual(string.Empty, fields[5]);
    }

    [Fact]
    public void A_minted_value_uses_only_characters_the_tracker_decodes_safely()
    {
        for (var i = 0; i < 50; i++)
        {
            var visitor = new FakeVisitor
            {
                VisitorId = Guid.NewGuid().ToString(),
                SessionId = Guid.NewGuid().ToString(),
                PreviousSessionId = i % 2 == 0 ? Guid.NewGuid().ToString() : null,
                SessionIndex = i,
            };
            Assert.Matches(SnowplowSafe(), SnowplowProfile.Mint(visitor, Now));
        }
    }

    [Fact]
    public void A_new_visitor_gets_both_cookies_on_the_registrable_domain_with_the_tracker_defaults()
    {
        var http = Http("www.example.com");
        var visitor = new FakeVisitor();

        Profile().Write(Context(http, visitor), missingOnly: false);

        var minted = SnowplowProfile.Mint(visitor, Now);
        Assert.Equal(
            [
                $"_sp_id.8809={minted}; max-age={MaxAgeCap}; domain=example.com; path=/; secure; samesite=lax",
                $"_sp_ses.8809=*; max-age=1800; domain=example.com; path=/; secure; samesite=lax",
            ],
            Headers(http));
        Assert.All(SetCookies(http), c => Assert.False(c.HttpOnly));
    }

    [Fact]
    public void The_two_year_default_is_capped_at_400_days_and_the_session_at_its_timeout()
    {
        var http = Http("www.example.com");

        Profile().Write(Context(http), missingOnly: false);

        var cookies = SetCookies(http);
        Assert.Equal(TimeSpan.FromDays(730), new SnowplowProfileOptions().Lifetime);
        Assert.Equal(MaxAgeCap, cookies.Single(c => c.Name == "_sp_id.8809").MaxAge);
        Assert.Equal(1800, cookies.Single(c => c.Name == "_sp_ses.8809").MaxAge);
    }

    [Fact]
    public void Configured_attributes_are_used()
    {
        var http = Http("www.example.com");

        Profile(o =>
        {
            o.Secure = false;
            o.SameSite = "Strict";
            o.Lifetime = TimeSpan.FromDays(30);
            o.SessionTimeout = TimeSpan.FromMinutes(10);
            o.CookieNamePrefix = "sp_";
        }).Write(Context(http), missingOnly: false);

        var cookies = SetCookies(http);
        Assert.Equal(["sp_id.8809", "sp_ses.8809"], cookies.Select(c => c.Name));
        Assert.Equal(2592000, cookies[0].MaxAge);
        Assert.Equal(600, cookies[1].MaxAge);
        Assert.All(cookies, c =>
        {
            Assert.False(c.Secure);
            Assert.False(c.HttpOnly);
            Assert.Equal("strict", c.Attributes["samesite"]);
            Assert.Equal("/", c.Attributes["path"]);
        });
    }

    [Fact]
    public void A_configured_cookie_domain_is_used_verbatim_for_the_hash_and_the_attribute()
    {
        var http = Http("www.example.com");

        Profile(o => o.CookieDomain = ".example.com").Write(Context(http), missingOnly: false);

        var cookies = SetCookies(http);
        Assert.Equal(["_sp_id.62df", "_sp_ses.62df"], cookies.Select(c => c.Name));
        Assert.All(cookies, c => Assert.Equal(".example.com", c.Domain));
    }

    [Theory]
    [InlineData("www.example.com", "_sp_id.8809", "example.com")]
    [InlineData("www.example.com:8443", "_sp_id.8809", "example.com")]
    [InlineData("shop.example.co.uk", "_sp_id.a37f", "example.co.uk")]
    [InlineData("localhost", "_sp_id.1fff", "localhost")]
    [InlineData("localhost:5001", "_sp_id.1fff", "localhost")]
    [InlineData("127.0.0.1", "_sp_id.dc78", null)]
    public void The_name_and_domain_follow_the_domain_the_tracker_discovers(string host, string idName, string? domain)
    {
        var http = Http(host);

        Profile().Write(Context(http), missingOnly: false);

        var cookies = SetCookies(http);
        Assert.Equal([idName, "_sp_ses." + idName[^4..]], cookies.Select(c => c.Name));
        Assert.All(cookies, c =>
        {
            Assert.Equal(domain is not null, c.HasDomain);
            Assert.Equal(domain, c.Domain);
        });
    }

    [Fact]
    public void The_site_cookie_domain_wins_over_the_registrable_domain()
    {
        var http = Http("www.shop.example.com");

        Profile().Write(Context(http, siteDomain: "shop.example.com"), missingOnly: false);

        var id = SetCookies(http)[0];
        Assert.Equal("_sp_id." + SnowplowProfile.Hash("shop.example.com"), id.Name);
        Assert.Equal("shop.example.com", id.Domain);
    }

    [Fact]
    public void An_existing_valid_cookie_is_re_sent_byte_for_byte_with_a_new_expiry_and_no_session_cookie()
    {
        var http = Http("www.example.com", $"other=1; _sp_id.8809={SdkValue}; _sp_ses.8809=*");

        Profile().Write(Context(http), missingOnly: false);

        var header = Assert.Single(Headers(http));
        Assert.Equal(
            $"_sp_id.8809={SdkValue}; max-age={MaxAgeCap}; domain=example.com; path=/; secure; samesite=lax",
            header);
    }

    [Fact]
    public void With_missing_only_an_existing_cookie_is_not_re_sent()
    {
        var http = Http("www.example.com", $"_sp_id.8809={SdkValue}");

        Profile().Write(Context(http), missingOnly: true);

        Assert.Empty(Headers(http));
    }

    [Fact]
    public void With_missing_only_a_missing_cookie_is_minted()
    {
        var http = Http("www.example.com");
        var visitor = new FakeVisitor();

        Profile().Write(Context(http, visitor), missingOnly: true);

        var cookies = SetCookies(http);
        Assert.Equal(["_sp_id.8809", "_sp_ses.8809"], cookies.Select(c => c.Name));
        Assert.Equal(SnowplowProfile.Mint(visitor, Now), cookies[0].Value);
    }

    [Fact]
    public void A_cookie_under_another_hash_is_not_the_one_the_tracker_reads()
    {
        var http = Http("www.example.com", $"_sp_id.2a0b={SdkValue}");
        var visitor = new FakeVisitor();

        Profile().Write(Context(http, visitor), missingOnly: false);

        var cookies = SetCookies(http);
        Assert.Equal(["_sp_id.8809", "_sp_ses.8809"], cookies.Select(c => c.Name));
        Assert.Equal(SnowplowProfile.Mint(visitor, Now), cookies[0].Value);
    }

    [Theory]
    [InlineData("abc.1700000000.1")]
    [InlineData("abc")]
    [InlineData(".1700000000.1.1700000000..s....0")]
    [InlineData("abc.1700000000.1.1700000000..s....0.extra")]
    [InlineData("a b.1700000000.1.1700000000..s....0")]
    [InlineData("a\"b.1700000000.1.1700000000..s....0")]
    [InlineData("a\\b.1700000000.1.1700000000..s....0")]
    public void A_malformed_existing_value_is_replaced_by_a_minted_one(string existing)
    {
        var http = Http("www.example.com", $"_sp_id.8809={existing}");
        var visitor = new FakeVisitor();

        Profile().Write(Context(http, visitor), missingOnly: false);

        var cookies = SetCookies(http);
        Assert.Equal(["_sp_id.8809", "_sp_ses.8809"], cookies.Select(c => c.Name));
        Assert.Equal(SnowplowProfile.Mint(visitor, Now), cookies[0].Value);
        Assert.Equal(VisitorId, Profile().ResolveId(Context(http, visitor)));
    }

    [Fact]
    public void When_the_header_has_two_cookies_of_the_name_the_first_wins()
    {
        const string Second = "second-duid.1700000000.1.1700000000..s2....0";
        var http = Http("www.example.com", $"_sp_id.8809={SdkValue}; _sp_id.8809={Second}");

        Profile().Write(Context(http), missingOnly: false);

        var header = Assert.Single(SetCookies(http));
        Assert.Equal(SdkValue, header.Value);
        Assert.Equal("0a1b2c3d-sdk-duid", Profile().ResolveId(Context(http)));
    }

    [Fact]
    public void The_first_cookie_of_the_name_wins_even_when_it_is_malformed()
    {
        // Page script reads the first one, so it is the one that must be repaired.
        var http = Http("www.example.com", $"_sp_id.8809=abc.1.2; _sp_id.8809={SdkValue}");
        var visitor = new FakeVisitor();

        Profile().Write(Context(http, visitor), missingOnly: false);

        Assert.Equal(SnowplowProfile.Mint(visitor, Now), SetCookies(http)[0].Value);
        Assert.Equal(VisitorId, Profile().ResolveId(Context(http, visitor)));
    }

    [Fact]
    public void ResolveId_returns_the_existing_domain_user_id()
    {
        var http = Http("www.example.com", $"_sp_id.8809={SdkValue}");

        Assert.Equal("0a1b2c3d-sdk-duid", Profile().ResolveId(Context(http)));
        Assert.Empty(Headers(http));
    }

    [Fact]
    public void ResolveId_returns_the_visitor_id_without_a_cookie()
    {
        Assert.Equal(VisitorId, Profile().ResolveId(Context(Http("www.example.com"))));
        Assert.Equal(OtherVisitorId, Profile().ResolveId(Context(Http("localhost"), new FakeVisitor { VisitorId = OtherVisitorId })));
    }

    [Fact]
    public void ResolveId_reads_the_cookie_under_the_configured_domain_hash()
    {
        var http = Http("www.example.com", $"_sp_id.8809={SdkValue}; _sp_id.62df=dotted-duid.1700000000.1.1700000000..s....0");

        Assert.Equal("dotted-duid", Profile(o => o.CookieDomain = ".example.com").ResolveId(Context(http)));
    }

    [Fact]
    public void The_declarations_name_both_cookies_with_the_prefix()
    {
        var declarations = Profile(o => o.CookieNamePrefix = "sp_").Declarations.ToList();

        // The collector's network id and the tracker's root-domain probe are declared too, so refusal deletes them.
        Assert.Equal(["sp_id.*", "sp_ses.*", "sp", "_sp_root_domain_test_*"], declarations.Select(d => d.Name));
        Assert.Equal(TimeSpan.FromMinutes(30), declarations[1].Lifetime);
        Assert.True(declarations[0].Matches("sp_id.8809"));
        Assert.True(declarations[1].Matches("sp_ses.8809"));
        Assert.True(declarations[3].Matches("_sp_root_domain_test_1767614400000"));
    }

    [Fact]
    public void The_declared_lifetime_is_the_capped_one_the_server_writes()
    {
        // The tracker's default is two years; browsers keep 400 days, and so does the server.
        var profile = Profile();
        var http = Http("www.example.com");
        profile.Write(Context(http), missingOnly: false);

        var id = Assert.Single(SetCookies(http), c => c.Name.StartsWith("_sp_id.", StringComparison.Ordinal));
        var declared = profile.Declarations.First(d => d.Matches(id.Name));
        Assert.Equal(TimeSpan.FromDays(400), declared.Lifetime);
        Assert.Equal((long)declared.Lifetime!.Value.TotalSeconds, id.MaxAge);
    }

    [Fact]
    public void The_storage_keys_cover_the_queue_the_tab_id_and_the_state_kept_in_local_storage()
    {
        var keys = Profile(o => o.CookieNamePrefix = "sp_").StorageKeys.ToList();

        Assert.Equal(["snowplowOutQueue_*", "_sp_tab_id", "sp_id.*", "sp_ses.*"], keys);
    }
}
