namespace FirstParty.AspNetCore.Outbox;

/// <summary>The waits between delivery attempts.</summary>
internal static class OutboxBackoff
{
    /// <summary>
    /// Between half the backoff and all of it: a farm's instances that lost their sink together
    /// must not retry in lockstep, and a retry never comes later than the configured backoff.
    /// </summary>
    public static TimeSpan Jittered(TimeSpan delay)
        => delay <= TimeSpan.Zero ? delay : TimeSpan.FromTicks((delay.Ticks / 2) + Random.Shared.NextInt64((delay.Ticks / 2) + 1));

    /// <summary>Doubles the backoff, never beyond <paramref name="max"/>.</summary>
    public static TimeSpan Next(TimeSpan delay, TimeSpan max)
    {
        var doubled = delay * 2;
        return doubled > max ? max : doubled;
    }
}
