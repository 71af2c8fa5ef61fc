using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary>
/// Reads a consent endpoint's form so that each failure gets its own status: 413 only for a body
/// over <see cref="MaxBodyBytes"/> (declared or counted while reading, so a chunked body cannot slip
/// past), 415 for multipart without a boundary, 400 for a body that does not parse as a form.
/// </summary>
internal static class FormBody
{
    /// <summary>A consent form is a handful of short fields; anything larger is not one.</summary>
    internal const int MaxBodyBytes = 8 * 1024;

    private static readonly FormOptions FormLimits = new()
    {
        ValueCountLimit = 64,
        KeyLengthLimit = 64,
        ValueLengthLimit = 2048,
        MultipartBodyLengthLimit = MaxBodyBytes,
        MultipartHeadersLengthLimit = 4096,
    };

    /// <summary>The outcome: the form, or the status and problem detail to answer with.</summary>
    internal readonly record struct Result(IFormCollection? Form, int Status, string? Problem);

    /// <summary>A body over the limit, before anything is read.</summary>
    public static bool DeclaresTooLarge(HttpRequest request) => request.ContentLength > MaxBodyBytes;

    /// <summary>True for multipart/form-data without the boundary that separates its parts.</summary>
    public static bool IsMultipartWithoutBoundary(HttpRequest request)
        => MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            && HeaderUtilities.RemoveQuotes(type.Boundary).Length == 0;

    /// <summary>
    /// Reads the body into memory (it is at most 8 KB) and parses it as the request's form, which is
    /// then what <c>Request.Form</c> and antiforgery validation see. Call only when
    /// <see cref="HttpRequest.HasFormContentType"/> is true.
    /// </summary>
    public static async Task<Result> ReadAsync(HttpContext context)
    {
        var request = context.Request;
        if (DeclaresTooLarge(request))
        {
            return new(null, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        if (IsMultipartWithoutBoundary(request))
        {
            return new(null, StatusCodes.Status415UnsupportedMediaType, "A multipart/form-data body needs a boundary parameter in its Content-Type.");
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        try
        {
            int read;
            while (length < buffer.Length && (read = await request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                length += read;
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Kestrel's own verdict on the framing: a body shorter than declared, a server-wide size limit.
            return new(null, ex.StatusCode, "The request body could not be read.");
        }
        catch (IOException) when (!context.RequestAborted.IsCancellationRequested)
        {
            return new(null, StatusCodes.Status400BadRequest, "The request body could not be read.");
        }

        if (length > MaxBodyBytes)
        {
            return new(null, StatusCodes.Status413PayloadTooLarge, "The request body is too large.");
        }

        request.Body = new MemoryStream(buffer, 0, length, writable: false);
        var feature = new FormFeature(request, FormLimits);
        context.Features.Set<IFormFeature>(feature);
        try
        {
            return new(await feature.ReadFormAsync(context.RequestAborted).ConfigureAwait(false), 0, null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or FormatException)
        {
            // Control characters, too many or too long fields, broken multipart sections: not a consent form.
            return new(null, StatusCodes.Status400BadRequest, "The form is malformed.");
        }
    }
}
