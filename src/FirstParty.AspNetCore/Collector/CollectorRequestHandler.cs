using System.Buffers;
using System.IO.Compression;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Takes one hit on a vendor's endpoint: reads the body within the vendor's limit, decides consent
/// on the server, lets the vendor rewrite the hit with the server's ids, queues what may be
/// forwarded and answers the SDK the way the vendor would. Forwarding happens later, off the request path.
/// </summary>
internal sealed class CollectorRequestHandler(
    IOptions<FirstPartyOptions> options,
    CollectorForwarder forwarder,
    CollectorVisitors visitors,
    FirstPartyMetrics metrics,
    TimeProvider time,
    ILogger<CollectorRequestHandler> logger)
{
    public async Task<IResult> HandleAsync(HttpContext context, ICollectorVendor vendor, CollectorRoute route)
    {
        var collector = options.Value.Collector;
        var settings = vendor.OptionsOf(collector);
        if (!collector.Enabled || settings.Upstream is null)
        {
            return Results.NotFound();
        }

        var limit = settings.MaxBodyBytes ?? collector.MaxBodyBytes;
        var body = await ReadBodyAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        if (body.Status != StatusCodes.Status200OK)
        {
            metrics.CollectorDropped(vendor.Name, body.Status == StatusCodes.Status413PayloadTooLarge ? "too_large" : "malformed", 1);
            if (body.Status == StatusCodes.Status413PayloadTooLarge)
            {
                logger.CollectorHitTooLarge(vendor.Name, body.Length, limit);
                return Problem($"The request body is larger than {limit} bytes.", body.Status, null, null);
            }

            logger.CollectorHitMalformed(vendor.Name, body.Problem!);
            return Problem(body.Problem, body.Status, null, null);
        }

        var granted = visitors.IsGranted(context, vendor);
        var hit = new CollectorHit
        {
            Context = context,
            Route = route,
            Body = body.Bytes,
            Granted = granted,
            Visitor = granted ? visitors.Describe(context, settings) : CollectorVisitors.Nobody,
            Now = time.GetUtcNow(),
        };

        CollectorAccept accepted;
        try
        {
            accepted = vendor.Accept(hit);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or System.Text.Json.JsonException)
        {
            // Parsers report bad input as an error; an exception from one is a bad hit too, never a 500.
            accepted = CollectorAccept.Malformed(ex.Message);
        }

        if (accepted.Error is { } error)
        {
            metrics.CollectorDropped(vendor.Name, "malformed", Math.Max(1, accepted.Events));
            logger.CollectorHitMalformed(vendor.Name, error);
            return Problem(error, StatusCodes.Status400BadRequest, "Malformed analytics hit", accepted.ProblemExtensions);
        }

        if (!granted)
        {
            // Answered as a success so the SDK does not retry; nothing leaves this server.
            if (accepted.Events > 0)
            {
                metrics.CollectorDropped(vendor.Name, "consent", accepted.Events);
            }

            return vendor.Answer(hit, accepted);
        }

        if (accepted.IdsReplaced > 0)
        {
            metrics.CollectorIdsReplaced(vendor.Name, accepted.IdsReplaced);
        }

        foreach (var envelope in accepted.Envelopes)
        {
            await forwarder.EnqueueAsync(vendor, envelope).ConfigureAwait(false);
        }

        if (accepted.Events > 0)
        {
            metrics.CollectorAccepted(vendor.Name, accepted.Events);
        }

        return vendor.Answer(hit, accepted);
    }

    /// <summary>
    /// A problem+json answer that also carries the status as a numeric <c>code</c> member: Amplitude's
    /// SDK takes the status from the body's <c>code</c> when the body is JSON (and reads a missing one
    /// as "unknown", which it retries), so every SDK sees the status the HTTP response has.
    /// </summary>
    private static IResult Problem(string? detail, int status, string? title, IReadOnlyDictionary<string, object?>? vendorMembers)
    {
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal) { ["code"] = status };
        if (vendorMembers is not null)
        {
            foreach (var (key, value) in vendorMembers)
            {
                extensions[key] = value;
            }
        }

        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes (after gzip, when the SDK compressed the body).</summary>
    private static async Task<BodyRead> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            return new BodyRead(StatusCodes.Status413PayloadTooLarge, default, declared, null);
        }

        var encoding = request.Headers.ContentEncoding.ToString();
        Stream source = request.Body;
        if (encoding.Length > 0)
        {
            if (!encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            {
                return new BodyRead(StatusCodes.Status400BadRequest, default, 0, $"Content-Encoding '{Truncate(encoding)}' is not supported; send the body plain or gzip.");
            }

            source = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, (int)(request.ContentLength ?? 4096) + 1));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > limit)
                    {
                        return new BodyRead(StatusCodes.Status413PayloadTooLarge, default, length, null);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    return new BodyRead(StatusCodes.Status413PayloadTooLarge, default, length, null);
                }
            }

            // Copied out so the pooled buffer goes back at once; hits are small.
            return new BodyRead(StatusCodes.Status200OK, buffer.AsSpan(0, length).ToArray(), length, null);
        }
        catch (InvalidDataException)
        {
            return new BodyRead(StatusCodes.Status400BadRequest, default, length, "The gzip body is corrupt.");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (!ReferenceEquals(source, request.Body))
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    private readonly record struct BodyRead(int Status, ReadOnlyMemory<byte> Bytes, long Length, string? Problem);
}
