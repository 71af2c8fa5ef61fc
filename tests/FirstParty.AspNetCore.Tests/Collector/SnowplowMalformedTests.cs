using System.Net;
using FirstParty.AspNetCore.Tests.TestUtils;
using static FirstParty.AspNetCore.Tests.Collector.SnowplowTestSupport;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>Hits Enrich would fail as a whole are answered 4xx problem+json here and never forwarded.</summary>
public sealed class SnowplowMalformedTests : IDisposable
{
    private const string Eid = "42be6302-73af-4a74-92d9-cf8385dd3ff2";

    private readonly CapturingUpstream _upstream = new();
    private readonly string _spill = TempDirectory();

    public void Dispose() => Directory.Delete(_spill, recursive: true);

    public static TheoryData<string, string> Bodies => new()
    {
        { "not JSON", "{\"schema\":" },
        { "a number value", Post(("e", "pv"), ("eid", Eid), ("vid", 3)) },
        { "a null value", Post(("e", "pv"), ("eid", Eid), ("refr", null)) },
        { "an object value", Post(("e", "pv"), ("eid", Eid), ("co", new { schema = "x" })) },
        { "a bad eid", Post(("e", "pv"), ("eid", "not-a-uuid")) },
        { "a bad sid", Post(("e", "pv"), ("eid", Eid), ("sid", "123")) },
        { "another schema", Post(("e", "pv"), ("eid", Eid)).Replace("payload_data/jsonschema/1-0-4", "payload_data/jsonschema/2-0-0", StringComparison.Ordinal) },
        { "another vendor's schema", Post(("e", "pv"), ("eid", Eid)).Replace("com.snowplowanalytics.snowplow/payload_data", "com.acme/payload_data", StringComparison.Ordinal) },
        { "no schema", "{\"data\":[{\"e\":\"pv\"}]}" },
        { "data not an array", "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4\",\"data\":{\"e\":\"pv\"}}" },
        { "an event not an object", "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4\",\"data\":[\"e=pv\"]}" },
        { "no events", "{\"schema\":\"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4\",\"data\":[]}" },
        { "too many events", PostMany(Enumerable.Range(0, 501).Select(_ => new (string, object?)[] { ("e", "pv") })) },
        { "one good and one bad event", PostMany([Event(Eid), Event(Guid.NewGuid().ToString(), ("vid", 1))]) },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task MalformedPosts_Get400ProblemJson_AndAreNotForwarded(string what, string body)
    {
        await using var app = await StartAsync(_upstream, _spill);
        using var dropped = app.CollectMetric("firstparty.collector.dropped");
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(body, jar);

        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{what}: {response.Status}");
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Null(response.Written("sp"));
        Assert.Contains(dropped.GetMeasurementSnapshot(), m => Equals(m.Tags["reason"], "malformed"));
        await AssertNothingElseForwardedAsync(app, _upstream, jar);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=iso-8859-1")]
    [InlineData(null)]
    public async Task WrongContentType_Gets400_AndIsNotForwarded(string? contentType)
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(Post(Event(Eid)), jar, contentType);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        await AssertNothingElseForwardedAsync(app, _upstream, jar);
    }

    [Theory]
    [InlineData("application/json")]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("text/plain")]
    public async Task AcceptedContentTypes(string contentType)
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(Post(Event(Eid)), jar, contentType);

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(Eid, Events(Assert.Single(await _upstream.WaitForAsync(1)))[0]["eid"]);
    }

    [Fact]
    public async Task OverTheBodyLimit_Gets413_AndIsNotForwarded()
    {
        await using var app = await StartAsync(_upstream, _spill, o => o.Configuration["FirstParty:Collector:Snowplow:MaxBodyBytes"] = "2048");
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.PostTp2Async(Post(Event(Eid, ("page", new string('x', 3000)))), jar);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        await AssertNothingElseForwardedAsync(app, _upstream, jar);
    }

    [Theory]
    [InlineData("?e=pv&eid=not-a-uuid")]
    [InlineData("?e=pv&eid=42be6302-73af-4a74-92d9-cf8385dd3ff2&sid=nope")]
    [InlineData("?e=pv&e=se")]
    [InlineData("")]
    public async Task MalformedPixels_Get400_AndAreNotForwarded(string query)
    {
        await using var app = await StartAsync(_upstream, _spill);
        var jar = new CookieJar();
        await app.VisitAsync(jar);

        var response = await app.SendRawAsync(HttpMethod.Get, Pixel + query, jar);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("application/problem+json", response.ContentType);
        await AssertNothingElseForwardedAsync(app, _upstream, jar);
    }
}
