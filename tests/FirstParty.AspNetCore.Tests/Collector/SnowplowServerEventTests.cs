using System.Globalization;
using System.Net;
using System.Text.Json;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Tests.TestUtils;
using static FirstParty.AspNetCore.Tests.Collector.SnowplowTestSupport;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>Server-side events (<c>TrackAsync</c>) reach Snowplow as valid tracker-protocol events of the visitor.</summary>
public sealed class SnowplowServerEventTests : IDisposable
{
    private readonly CapturingUpstream _upstream = new();
    private readonly string _spill = TempDirectory();

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    [Fact]
    public async Task AStructuredEvent_WithTheVisitorsIds_AllStrings()
    {
        await using var app = await StartAsync(_upstream, _spill, o =>
        {
            o.Configuration["FirstParty:Providers:Snowplow:AppId"] = "shop";
            o.ConfigureFirstParty = f => f.Providers.UserId = _ => "user-7";
        });
        var jar = new CookieJar();
        var visitor = await app.VisitAsync(jar);
        var sp = Guid.NewGuid().ToString();
        jar["sp"] = sp;

        var response = await app.SendRawAsync(HttpMethod.Post, "/track?name=purchase", jar, r => r.Headers.Referrer = new Uri("http://localhost/basket"));

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains("snowplow", response.Json().GetProperty("queued").EnumerateArray().Select(e => e.GetString()));
        var call = Assert.Single(await _upstream.WaitForAsync(1));
        Assert.EndsWith("/com.snowplowanalytics.snowplow/tp2", call.Uri.AbsolutePath, StringComparison.Ordinal);
        Assert.Equal("?nuid=" + sp, call.Uri.Query);
        Assert.Equal(TrackerContentType, call.ContentType);
        var e = Assert.Single(Events(call));
        Assert.Equal("se", e["e"]);
        Assert.Equal("server", e["se_ca"]);
        Assert.Equal("purchase", e["se_ac"]);
        Assert.Equal("srv", e["p"]);
        Assert.Equal("shop", e["aid"]);
        Assert.Equal(SnowplowServerEvent.TrackerVersion, e["tv"]);
        Assert.Matches(@"^firstparty-dotnet-\d+\.\d+\.\d+$", e["tv"]);
        Assert.True(Guid.TryParseExact(e["eid"], "D", out _));
        var millis = app.Time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        Assert.Equal(millis, e["dtm"]);
        Assert.Equal(millis, e["stm"]);
        Assert.Equal(visitor.VisitorId, e["duid"]);
        Assert.Equal(visitor.SessionId, e["sid"]);
        Assert.Equal(visitor.SessionIndex.ToString(CultureInfo.InvariantCulture), e["vid"]);
        Assert.Equal("user-7", e["uid"]);
        Assert.Equal("http://localhost/track?name=purchase", e["url"]);
        Assert.Equal("http://localhost/basket", e["refr"]);
    }

    [Fact]
    public async Task APageView()
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        var visitor = await app.VisitAsync(jar);

        await app.SendRawAsync(HttpMethod.Post, "/track", jar);

        var e = Assert.Single(Events(Assert.Single(await _upstream.WaitForAsync(1))));
        Assert.Equal("pv", e["e"]);
        Assert.Equal("http://localhost/track", e["url"]);
        Assert.Equal(visitor.VisitorId, e["duid"]);
        Assert.DoesNotContain("se_ac", e.Keys);
        Assert.DoesNotContain("aid", e.Keys);
    }

    [Fact]
    public void PageView_HasItsUrlTitleAndReferrer()
    {
        // The tracker has made the URL absolute by now (TrackedEventPageTests).
        var fields = SnowplowServerEvent.Fields(
            new TrackedEvent(TrackedEvent.PageViewName) { Url = "https://shop.example.com/thanks", Title = "Thanks", Referrer = "https://www.example.org/" },
            new CollectorVisitor { VisitorId = "v" },
            appId: null,
            DateTimeOffset.UnixEpoch,
            out _).ToDictionary();

        Assert.Equal("https://shop.example.com/thanks", fields["url"]);
        Assert.Equal("Thanks", fields["page"]);
        Assert.Equal("https://www.example.org/", fields["refr"]);
        Assert.Equal("v", fields["duid"]);
        Assert.DoesNotContain("sid", fields.Keys);
        Assert.DoesNotContain("vid", fields.Keys);
    }

    [Fact]
    public void OneTextAndOneNumber_BecomeLabelAndValue()
    {
        var fields = Structured(new Dictionary<string, object?> { ["sku"] = "A-1", ["amount"] = 12.5m });

        Assert.Equal("A-1", fields["se_la"]);
        Assert.Equal("sku", fields["se_pr"]);
        Assert.Equal("12.5", fields["se_va"]);
    }

    [Fact]
    public void ANumberAlone_IsTheValue_NamedByTheProperty()
    {
        var fields = Structured(new Dictionary<string, object?> { ["seats"] = 3 });

        Assert.Equal("3", fields["se_va"]);
        Assert.Equal("seats", fields["se_pr"]);
        Assert.DoesNotContain("se_la", fields.Keys);
    }

    [Fact]
    public void MoreProperties_GoToTheLabelAsJson()
    {
        var fields = Structured(new Dictionary<string, object?> { ["plan"] = "pro", ["seats"] = 3, ["trial"] = true, ["price"] = 9.5 });

        Assert.DoesNotContain("se_va", fields.Keys);
        using var label = JsonDocument.Parse(fields["se_la"]);
        Assert.Equal("pro", label.RootElement.GetProperty("plan").GetString());
        Assert.Equal(3, label.RootElement.GetProperty("seats").GetInt32());
        Assert.True(label.RootElement.GetProperty("trial").GetBoolean());
        Assert.Equal(9.5, label.RootElement.GetProperty("price").GetDouble());
    }

    private static Dictionary<string, string> Structured(Dictionary<string, object?> properties)
        => SnowplowServerEvent.Fields(new TrackedEvent("signup") { Properties = properties }, new CollectorVisitor(), null, DateTimeOffset.UnixEpoch, out _).ToDictionary();
}
