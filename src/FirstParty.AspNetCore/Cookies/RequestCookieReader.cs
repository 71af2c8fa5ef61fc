using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Reads one of FirstParty's protected cookies from the raw <c>Cookie</c> headers: the first value
/// that verifies wins (a planted duplicate cannot hide a valid one), and every rejected value is
/// logged and counted by reason.
/// </summary>
internal sealed class RequestCookieReader(FirstPartyMetrics metrics, ILogger<RequestCookieReader> logger)
{
    public T? ReadFirstValid<T>(StringValues cookieHeaders, string name, ProtectedCookieCodec<T> codec)
        where T : class, ICookiePayload<T>
    {
        T? found = null;
        var count = 0;
        foreach (var raw in new CookieHeaderScanner(cookieHeaders, name))
        {
            count++;
            if (found is not null)
            {
                continue;
            }

            var status = codec.TryRead(raw, out var value);
            if (status == CookieReadStatus.Valid)
            {
                found = value;
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
