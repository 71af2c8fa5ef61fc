using System.Net;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using static FirstParty.AspNetCore.Tests.Collector.SnowplowTestSupport;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>The <c>sp</c> cookie (Snowplow's network user id): set as Snowplow's collector sets it, only with consent, declared.</summary>
public sealed class SnowplowNetworkCookieTests : IDisposable
{
    private readonly CapturingUpstream _upstream = new();
    private readonly string _spill = TempDirectory();

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    [Fact]
    public async Task Sp_IsAnHttpOnlyUuid_OnTheRegistrableDomain_ForAYear()
    {
        await using var app = await StartAsync(_upstream, _spill, o => o.BaseAddress = new Uri("http://shop.example.com/"));
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);

        var sp = response.Written("sp");
        Assert.NotNull(sp);
        Assert.True(Guid.TryParseExact(sp.Value.ToString(), "D", out _));
        Assert.True(sp.HttpOnly);
        Assert.Equal("example.com", sp.Domain.ToString());
        Assert.Equal("/", sp.Path.ToString());
        Assert.Equal(TimeSpan.FromDays(365), sp.MaxAge);
        Assert.Null(sp.Expires); // Max-Age alone: browsers let it win over Expires
    }

    [Fact]
    public async Task NameAndLifetime_FollowTheOptions_AndTheDeclarationFollowsThem()
    {
        await using var app = await StartAsync(_upstream, _spill, o =>
        {
            o.Configuration["FirstParty:Collector:Snowplow:CookieName"] = "nwid";
            o.Configuration["FirstParty:Collector:Snowplow:CookieLifetime"] = "30.00:00:00";
        });
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);

        var cookie = response.Written("nwid");
        Assert.NotNull(cookie);
        Assert.Equal(TimeSpan.FromDays(30), cookie.MaxAge);
        Assert.Null(response.Written("sp"));
        var declared = app.Services.GetRequiredService<CookieCatalogue>().Find("nwid");
        Assert.NotNull(declared);
        Assert.Equal("analytics", declared.Category);
        Assert.Equal(TimeSpan.FromDays(30), declared.Cookie.Lifetime);
        Assert.Equal("?nuid=" + cookie.Value, Assert.Single(await _upstream.WaitForAsync(1)).Uri.Query);
    }

    [Fact]
    public async Task WithoutTheSnowplowProfile_SpIsStillDeclared_AndDeletedOnRefusal()
    {
        await using var app = await StartAsync(_upstream, _spill, snowplowProfile: false, regime: "OptIn");
        var declared = app.Services.GetRequiredService<CookieCatalogue>().Find("sp");
        Assert.NotNull(declared);
        Assert.Equal("analytics", declared.Category);

        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all");
        jar["sp"] = Guid.NewGuid().ToString();
        var page = await app.BrowseAsync("/", jar);

        Assert.NotEmpty(page.Deletions("sp"));
        Assert.Null(jar["sp"]);
    }

    [Fact]
    public async Task AnExistingValidSp_IsKept_AnInvalidOneIsReplaced()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        await app.VisitAsync(jar);
        var existing = Guid.NewGuid().ToString();
        jar["sp"] = existing;

        var kept = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);
        Assert.Equal(existing, kept.Written("sp")!.Value.ToString());

        jar["sp"] = "not-a-uuid";
        var replaced = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);
        var fresh = replaced.Written("sp")!.Value.ToString();
        Assert.NotEqual("not-a-uuid", fresh);
        Assert.True(Guid.TryParseExact(fresh, "D", out _));

        var calls = await _upstream.WaitForAsync(2);
        Assert.Contains(calls, c => c.Uri.Query == "?nuid=" + existing);
        Assert.Contains(calls, c => c.Uri.Query == "?nuid=" + fresh);
        Assert.DoesNotContain(calls, c => c.Uri.Query.Contains("not-a-uuid", StringComparison.Ordinal));
    }

    [Fact]
    public async Task CookieExtension_WithConsent_ResetsSp()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        var jar = await app.JarWithVisitorCookiesAsync();
        var existing = Guid.NewGuid().ToString();
        jar["sp"] = existing;

        var response = await app.SendRawAsync(HttpMethod.Get, CookieExtension, jar);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("no-store", response.Header("Cache-Control"));
        var sp = response.Written("sp");
        Assert.NotNull(sp);
        Assert.Equal(existing, sp.Value.ToString());
        Assert.True(sp.HttpOnly);
        Assert.Equal(TimeSpan.FromDays(365), sp.MaxAge);
        Assert.Empty(_upstream.Calls);
    }

    [Fact]
    public async Task CookieExtension_MintsSp_ForAGrantedBrowserWithoutOne()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        var jar = await app.JarWithVisitorCookiesAsync();

        var response = await app.SendRawAsync(HttpMethod.Get, CookieExtension, jar);

        Assert.True(Guid.TryParseExact(response.Written("sp")?.Value.ToString(), "D", out _));
    }

    [Fact]
    public async Task CookieExtension_WithoutConsent_SetsNothing_AndDeletesAnExistingSp()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        var undecided = new CookieJar();
        var nothing = await app.SendRawAsync(HttpMethod.Get, CookieExtension, undecided);
        Assert.Equal(HttpStatusCode.OK, nothing.Status);
        Assert.Empty(nothing.Named("sp"));

        var refused = new CookieJar();
        await app.ChooseAsync(refused, "reject-all");
        refused["sp"] = Guid.NewGuid().ToString();
        var response = await app.SendRawAsync(HttpMethod.Get, CookieExtension, refused);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Null(response.Written("sp"));
        Assert.NotEmpty(response.Deletions("sp"));
    }
}
