using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using static FirstParty.AspNetCore.Tests.Collector.SnowplowTestSupport;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>Consent is decided on the server for every Snowplow hit: nothing before it, nothing after its withdrawal.</summary>
public sealed class SnowplowConsentTests : IDisposable
{
    private readonly CapturingUpstream _upstream = new();
    private readonly string _spill = TempDirectory();

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    [Fact]
    public async Task Undecided_IsAnsweredOk_NothingForwarded_CountedAsDroppedForConsent()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        using var dropped = app.CollectMetric("firstparty.collector.dropped");
        var undecided = new CookieJar();
        await app.BrowseAsync("/", undecided);

        var response = await app.PostTp2Async(PostMany([Event(Guid.NewGuid().ToString()), Event(Guid.NewGuid().ToString())]), undecided);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("ok", response.Body);
        Assert.Empty(response.Named("sp"));
        var measurement = Assert.Single(dropped.GetMeasurementSnapshot());
        Assert.Equal(2, measurement.Value);
        Assert.Equal("consent", measurement.Tags["reason"]);
        Assert.Equal("snowplow", measurement.Tags["vendor"]);
        await AssertNothingElseForwardedAsync(app, _upstream, await app.JarWithVisitorCookiesAsync());
    }

    [Fact]
    public async Task UndecidedPixel_IsAnsweredWithTheGif_NothingForwarded()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        var undecided = new CookieJar();

        var response = await app.SendRawAsync(HttpMethod.Get, Pixel + RealTrackerPixelQuery, undecided);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("image/gif", response.ContentType);
        Assert.Empty(response.Named("sp"));
        await AssertNothingElseForwardedAsync(app, _upstream, await app.JarWithVisitorCookiesAsync());
    }

    [Fact]
    public async Task AfterAccept_HitsAreForwarded_AfterWithdrawal_NothingIs_AndSpIsDeleted()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        var jar = await app.JarWithVisitorCookiesAsync();
        var accepted = Guid.NewGuid().ToString();

        var first = await app.PostTp2Async(Post(Event(accepted)), jar);

        Assert.NotNull(first.Written("sp"));
        Assert.Equal([accepted], (await _upstream.WaitForAsync(1)).SelectMany(Events).Select(e => e["eid"]));
        var sp = jar["sp"]!;
        _upstream.Calls.Clear();

        var refused = await app.ChooseAsync(jar, "reject-all");
        Assert.Equal(HttpStatusCode.SeeOther, refused.Status);
        Assert.NotEmpty(refused.Deletions("sp"));
        Assert.Null(jar["sp"]);

        // A browser that kept the cookie anyway: it is deleted again, and the hit goes nowhere.
        jar["sp"] = sp;
        var afterWithdrawal = await app.PostTp2Async(Post(Event(Guid.NewGuid().ToString())), jar);

        Assert.Equal(HttpStatusCode.OK, afterWithdrawal.Status);
        Assert.Null(afterWithdrawal.Written("sp"));
        Assert.NotEmpty(afterWithdrawal.Deletions("sp"));
        await AssertNothingElseForwardedAsync(app, _upstream, await app.JarWithVisitorCookiesAsync());
    }

    [Fact]
    public async Task RefusedServerSideEvents_AreNotForwarded()
    {
        await using var app = await StartAsync(_upstream, _spill, regime: "OptIn");
        var jar = new CookieJar();
        await app.ChooseAsync(jar, "reject-all");

        var response = await app.SendRawAsync(HttpMethod.Post, "/track?name=purchase", jar);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains("snowplow", response.Json().GetProperty("refused").EnumerateArray().Select(e => e.GetString()));
        await AssertNothingElseForwardedAsync(app, _upstream, await app.JarWithVisitorCookiesAsync());
    }
}
