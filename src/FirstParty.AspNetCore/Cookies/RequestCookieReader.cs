using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Reads one of FirstParty's protected cookies from the raw <c>Cookie</c> headers (a planted
/// duplicate that does not verify cannot hide a valid one), logging and counting every rejected
/// value by reason.
/// </summary>
internal sealed class RequestCookieReader(FirstPartyMetrics metrics, ILogger<RequestCookieReader> logger)
{
    /// <summary>The first value that verifies; later ones are not verified.</summary>
    public T? ReadFirstValid<T>(StringValues cookieHeaders, string name, ProtectedCookieCodec<T> codec)
        where T : class, ICookiePayload<T>
        => Read<T, object?>(cookieHeaders, name, codec, null, combine: null, out _);

    /// <summary>
    /// Every value that verifies, folded in the order sent by <paramref name="combine"/>; the single
    /// valid value when there is only one. <paramref name="validCount"/> says how many verified.
    /// </summary>
    public T? ReadAllValid<T, TState>(StringValues cookieHeaders, string name, ProtectedCookieCodec<T> codec, TState state, Func<T, T, TState, T> combine, out int validCount)
        where T : class, ICookiePayload<T>
        => Read(cookieHeaders, name, codec, state, combine, out validCount);

    /// <summary>Without <paramref name="combine"/>, values after the first valid one are counted but not verified.</summary>
    private T? Read<T, TState>(StringValues cookieHeaders, string name, ProtectedCookieCodec<T> codec, TState state, Func<T, T, TState, T>? combine, out int validCount)
        where T : class, ICookiePayload<T>
    {
        T? found = null;
        var count = 0;
        validCount = 0;
        foreach (var raw in new CookieHeaderScanner(cookieHeaders, name))
        {
            count++;
            if (found is not null && combine is null)
            {
                continue;
            }

            var status = codec.TryRead(raw, out var value);
            if (status == CookieReadStatus.Valid)
            {
                validCount++;
                found = found is null ? value : combine!(found, value!, state);
                continue;
            }

            var reason = status.ToReason();
            metrics.CookieRejected(name, reason);
            logger.CookieRejected(name, reason);
        }

        if (count > 1)
        {
            logger.DuplicateCookie(count, name);
        }

        return found;
    }
}
