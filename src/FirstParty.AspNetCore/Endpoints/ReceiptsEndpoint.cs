using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Diagnostics;
using FirstParty.AspNetCore.Ledger;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Endpoints;

/// <summary><c>GET /_fp/consent/receipts</c>: this browser's consent history.</summary>
internal static class ReceiptsEndpoint
{
    /// <summary>
    /// This browser's own consent history (by its consent id, current or expired), as the ISO 27560
    /// shaped export. Only this browser's cookie selects the receipts, so no one can read another's.
    /// </summary>
    public static async Task<IResult> GetReceiptsAsync(HttpContext context, ConsentLedgerWriter ledger, ILogger<ConsentManager> logger)
    {
        if (context.GetConsent() is not { } consent)
        {
            return EndpointHelpers.MissingMiddleware();
        }

        context.Response.Headers.CacheControl = "no-store";
        if (consent.ConsentId is not { } consentId)
        {
            return Results.Bytes(ConsentReceiptExport.ToUtf8Bytes(null, []), ConsentReceiptExport.ContentType);
        }

        IReadOnlyList<ConsentReceipt> receipts;
        try
        {
            receipts = await ledger.FindAsync(ReceiptSubject.Consent(consentId), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            logger.ReceiptsUnavailable(ex);
            return Results.Problem(detail: "The consent history is not available right now; try again later.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        if (context.Request.Query.ContainsKey("download"))
        {
            context.Response.Headers.ContentDisposition = "attachment; filename=\"consent-history.json\"";
        }

        return Results.Bytes(ConsentReceiptExport.ToUtf8Bytes(ReceiptSubject.Consent(consentId), receipts), ConsentReceiptExport.ContentType);
    }
}
