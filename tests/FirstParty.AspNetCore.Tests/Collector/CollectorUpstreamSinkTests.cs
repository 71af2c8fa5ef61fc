using System.Net;
using FirstParty.AspNetCore.Collector;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Outbox;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Collector;

/// <summary>How one batch reaches an upstream and what each answer means for its envelopes.</summary>
public sealed class CollectorUpstreamSinkTests : IDisposable
{
    private static readonly Uri Upstream = new("https://upstream.test");
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly CapturingUpstream _upstream = new();

    public void Dispose() => _services.Dispose();

    private CollectorUpstreamSink Sink()
    {
        var client = new CollectorUpstreamClient(_upstream, Options.Create(new FirstPartyOptions()));
        return new CollectorUpstreamSink(new EchoVendor(), Upstream, client, new FirstPartyMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger.Instance);
    }

    private static CollectorEnvelope Envelope(string body) => new() { Vendor = "echo", Path = "/collect", Body = body };

    [Fact]
    public async Task A_merged_request_the_vendor_rejects_is_sent_again_one_envelope_at_a_time()
    {
        _upstream.Respond = call => new HttpResponseMessage(call.Body.Contains("poison", StringComparison.Ordinal) ? HttpStatusCode.BadRequest : HttpStatusCode.OK);
        var outcomes = new DeliveryOutcome[3];

        await Sink().DeliverAsync([Envelope("a"), Envelope("poison"), Envelope("c")], outcomes, CancellationToken.None);

        Assert.Equal([DeliveryOutcome.Delivered, DeliveryOutcome.Rejected, DeliveryOutcome.Delivered], outcomes);
        Assert.Equal(["a", "a\npoison\nc", "c", "poison"], _upstream.Calls.Select(c => c.Body).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    [InlineData(HttpStatusCode.InternalServerError)]
    public async Task A_failing_upstream_leaves_every_envelope_to_retry(HttpStatusCode status)
    {
        _upstream.Respond = _ => new HttpResponseMessage(status);
        var outcomes = new DeliveryOutcome[2];

        await Sink().DeliverAsync([Envelope("a"), Envelope("b")], outcomes, CancellationToken.None);

        Assert.Equal([DeliveryOutcome.Retry, DeliveryOutcome.Retry], outcomes);
    }

    [Fact]
    public async Task A_network_failure_leaves_every_envelope_to_retry()
    {
        _upstream.Respond = _ => throw new HttpRequestException("connection refused");
        var outcomes = new DeliveryOutcome[2];

        await Sink().DeliverAsync([Envelope("a"), Envelope("b")], outcomes, CancellationToken.None);

        Assert.Equal([DeliveryOutcome.Retry, DeliveryOutcome.Retry], outcomes);
    }

    [Fact]
    public async Task The_upstream_client_keeps_no_cookies_between_requests()
    {
        _upstream.Respond = _ =>
        {
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.Add("Set-Cookie", "sp=someone-else; Path=/");
            return response;
        };
        var sink = Sink();

        await sink.DeliverAsync([Envelope("a")], new DeliveryOutcome[1], CancellationToken.None);
        await sink.DeliverAsync([Envelope("b")], new DeliveryOutcome[1], CancellationToken.None);

        Assert.All(_upstream.Calls, c => Assert.Null(c.Header("Cookie")));
        using var handler = CollectorUpstreamClient.CreateHandler();
        Assert.False(handler.UseCookies);
        Assert.False(handler.AllowAutoRedirect);
        Assert.False(handler.UseProxy);
    }
}
