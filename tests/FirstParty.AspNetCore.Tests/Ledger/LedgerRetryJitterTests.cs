using FirstParty.AspNetCore.Ledger;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary>A farm's instances that lost the database together do not retry in lockstep.</summary>
public sealed class LedgerRetryJitterTests
{
    [Theory]
    [InlineData(200)]
    [InlineData(30_000)]
    public void A_retry_waits_between_half_the_backoff_and_all_of_it_and_not_always_the_same(int milliseconds)
    {
        var backoff = TimeSpan.FromMilliseconds(milliseconds);

        var waits = Enumerable.Range(0, 200).Select(_ => ConsentLedgerWriter.Jittered(backoff)).ToList();

        Assert.All(waits, w => Assert.InRange(w, backoff / 2, backoff));
        Assert.True(waits.Distinct().Count() > 50, $"only {waits.Distinct().Count()} distinct waits in 200");
        Assert.True(waits.Min() < backoff * 0.6 && waits.Max() > backoff * 0.9, "the waits do not spread over the range");
    }

    [Fact]
    public void No_backoff_stays_no_backoff()
        => Assert.Equal(TimeSpan.Zero, ConsentLedgerWriter.Jittered(TimeSpan.Zero));
}
