using FirstParty.AspNetCore.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SameSiteMode = Microsoft.AspNetCore.Http.SameSiteMode;

namespace FirstParty.AspNetCore.Tests;

public sealed class ResponseCookieWriterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    private static (ResponseCookieWriter Writer, HttpContext Context) Create(
        Action<FirstPartyCookieOptions>? configure = null, string host = "www.example.co.uk", bool https = true)
    {
        var options = new FirstPartyOptions();
        configure?.Invoke(options.Cookies);
        var writer = new ResponseCookieWriter(Options.Create(options), new CookieDomainResolver(options.Cookies, PublicSuffixList.Embedded));
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString(host);
        context.Request.Scheme = https ? "https" : "http";
        return (writer, context);
    }

    private static SetCookieHeaderValue Single(HttpContext context)
    {
        var header = Assert.Single(context.Response.Headers.SetCookie);
        return SetCookieHeaderValue.Parse(header);
    }

    [Fact]
    public void Writes_the_default_attributes()
    {
        var (writer, context) = Create();
        writer.Append(context, "_fp_id", "1.abc-_", 3600, Now);

        var cookie = Single(context);
        Assert.Equal("_fp_id", cookie.Name.ToString());
        Assert.Equal("1.abc-_", cookie.Value.ToString());
        Assert.Equal(TimeSpan.FromHours(1), cookie.MaxAge);
        Assert.Null(cookie.Expires); // Max-Age alone: browsers let it win over Expires anyway
        Assert.Equal("example.co.uk", cookie.Domain.ToString());
        Assert.Equal("/", cookie.Path.ToString());
        Assert.True(cookie.Secure);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, cookie.SameSite);
    }

    [Fact]
    public void The_value_is_written_verbatim_without_percent_encoding()
    {
        var (writer, context) = Create();
        writer.Append(context, "_fp_id", "1.a-b_c", 10, Now);
        Assert.StartsWith("_fp_id=1.a-b_c; ", context.Response.Headers.SetCookie.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Secure_follows_the_request_scheme_by_default()
    {
        var (writer, context) = Create(https: false);
        writer.Append(context, "_fp_id", "v", 10, Now);
        Assert.False(Single(context).Secure);
    }

    [Theory]
    [InlineData(CookieSecurePolicy.Always, false, true)]
    [InlineData(CookieSecurePolicy.None, true, false)]
    [InlineData(CookieSecurePolicy.SameAsRequest, true, true)]
    public void Secure_policy_is_applied(CookieSecurePolicy policy, bool https, bool expected)
    {
        var (writer, context) = Create(o => o.Secure = policy, https: https);
        writer.Append(context, "_fp_id", "v", 10, Now);
        Assert.Equal(expected, Single(context).Secure);
    }

    [Theory]
    [InlineData(SameSiteMode.Strict, "samesite=strict")]
    [InlineData(SameSiteMode.None, "samesite=none")]
    [InlineData(SameSiteMode.Lax, "samesite=lax")]
    public void SameSite_is_applied(SameSiteMode mode, string expected)
    {
        var (writer, context) = Create(o => o.SameSite = mode);
        writer.Append(context, "_fp_id", "v", 10, Now);
        Assert.Contains(expected, context.Response.Headers.SetCookie.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void SameSite_unspecified_writes_no_attribute()
    {
        var (writer, context) = Create(o => o.SameSite = SameSiteMode.Unspecified);
        writer.Append(context, "_fp_id", "v", 10, Now);
        Assert.DoesNotContain("samesite", context.Response.Headers.SetCookie.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("github.io")]
    public void Host_only_hosts_get_no_domain(string host)
    {
        var (writer, context) = Create(host: host);
        writer.Append(context, "_fp_id", "v", 10, Now);
        Assert.DoesNotContain("domain", context.Response.Headers.SetCookie.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_configured_domain_is_used()
    {
        var (writer, context) = Create(o => o.Domain = "example.org", host: "localhost");
        writer.Append(context, "_fp_id", "v", 10, Now);
        Assert.Equal("example.org", Single(context).Domain.ToString());
    }

    [Fact]
    public void A_host_prefixed_cookie_never_gets_a_domain()
    {
        var (writer, context) = Create(o => o.Domain = "example.co.uk");
        writer.Append(context, "__Host-fp", "v", 10, Now);
        var header = context.Response.Headers.SetCookie.ToString();
        Assert.DoesNotContain("domain", header, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", header, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_age_is_capped_at_400_days_and_never_negative()
    {
        var (writer, context) = Create();
        writer.Append(context, "a", "v", (long)TimeSpan.FromDays(500).TotalSeconds, Now);
        writer.Append(context, "b", "v", -5, Now);

        var cookies = SetCookieHeaderValue.ParseList(context.Response.Headers.SetCookie.Select(s => s!).ToList());
        Assert.Equal(TimeSpan.FromDays(400), cookies[0].MaxAge);
        Assert.Null(cookies[0].Expires);
        Assert.Equal(TimeSpan.Zero, cookies[1].MaxAge);
    }

    [Fact]
    public void HttpOnly_can_be_turned_off_per_cookie()
    {
        var (writer, context) = Create();
        writer.Append(context, "mirror", "v", 10, Now, httpOnly: false);
        Assert.False(Single(context).HttpOnly);
    }

    [Fact]
    public void The_header_has_exactly_the_attributes_browsers_use_and_nothing_twice()
    {
        var (writer, context) = Create();
        writer.Append(context, "_fp_id", "3AbC-_", 34_128_000, Now);
        writer.Append(context, "_fp_ses", "3XyZ", 1800, Now);
        writer.Append(context, "_fp_consent", "3Q", 34_128_000, Now, httpOnly: false);

        Assert.Equal<string[]>(
            [
                "_fp_id=3AbC-_; max-age=34128000; domain=example.co.uk; path=/; secure; samesite=lax; httponly",
                "_fp_ses=3XyZ; max-age=1800; domain=example.co.uk; path=/; secure; samesite=lax; httponly",
                "_fp_consent=3Q; max-age=34128000; domain=example.co.uk; path=/; secure; samesite=lax",
            ],
            [.. context.Response.Headers.SetCookie.Select(h => h!)]);
    }

    [Fact]
    public void Host_only_over_http_the_header_has_no_domain_and_no_secure()
    {
        var (writer, context) = Create(host: "localhost", https: false);
        writer.Append(context, "_fp_id", "3AbC", 60, Now);
        Assert.Equal("_fp_id=3AbC; max-age=60; path=/; samesite=lax; httponly", context.Response.Headers.SetCookie.ToString());
    }

    [Fact]
    public void A_cookie_written_twice_in_one_response_is_sent_once_with_the_last_value()
    {
        var (writer, context) = Create();
        writer.Append(context, "_fp_id", "3first", 60, Now);
        writer.Append(context, "_fp_ses", "3session", 60, Now);
        writer.Append(context, "_fp_id", "3second", 120, Now);

        Assert.Equal<string[]>(
            [
                "_fp_id=3second; max-age=120; domain=example.co.uk; path=/; secure; samesite=lax; httponly",
                "_fp_ses=3session; max-age=60; domain=example.co.uk; path=/; secure; samesite=lax; httponly",
            ],
            [.. context.Response.Headers.SetCookie.Select(h => h!)]);
    }

    [Fact]
    public void A_deletion_before_a_write_is_kept_and_a_cookie_whose_name_extends_another_is_not_replaced()
    {
        var (writer, context) = Create();
        writer.Delete(context, "_fp_id");
        var deletions = context.Response.Headers.SetCookie.Count;
        writer.Append(context, "_fp_id_x", "3other", 60, Now);
        writer.Append(context, "_fp_id", "3value", 60, Now);

        string[] headers = [.. context.Response.Headers.SetCookie.Select(h => h!)];
        Assert.Equal(deletions + 2, headers.Length);
        Assert.All(headers[..deletions], h => Assert.Contains("max-age=0", h, StringComparison.Ordinal));
        Assert.StartsWith("_fp_id_x=3other;", headers[deletions], StringComparison.Ordinal);
        Assert.StartsWith("_fp_id=3value;", headers[deletions + 1], StringComparison.Ordinal);
    }
}
