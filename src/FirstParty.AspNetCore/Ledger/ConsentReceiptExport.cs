using System.Text.Json;
using System.Text.Json.Serialization;

namespace FirstParty.AspNetCore;

/// <summary>
/// Writes receipts as JSON shaped after ISO/IEC TS 27560 (consent record information structure):
/// one record per decision with its notice, purposes and their status, the collection method, the
/// jurisdiction and the signals that applied. <c>GET /_fp/consent/receipts</c> answers with it; an
/// app's own (authorized) export by visitor or user id can use it too.
/// </summary>
public static class ConsentReceiptExport
{
    /// <summary>The media type of the document.</summary>
    public const string ContentType = "application/json; charset=utf-8";

    /// <summary>Writes the receipts of <paramref name="subject"/> as one JSON document.</summary>
    public static Task WriteAsync(Stream stream, ReceiptSubject? subject, IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(receipts);
        return JsonSerializer.SerializeAsync(stream, Document(subject, receipts), ReceiptExportJsonContext.Default.ReceiptExportDocument, cancellationToken);
    }

    /// <summary>The receipts of <paramref name="subject"/> as one JSON document (UTF-8).</summary>
    public static byte[] ToUtf8Bytes(ReceiptSubject? subject, IReadOnlyList<ConsentReceipt> receipts)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        return JsonSerializer.SerializeToUtf8Bytes(Document(subject, receipts), ReceiptExportJsonContext.Default.ReceiptExportDocument);
    }

    private static ReceiptExportDocument Document(ReceiptSubject? subject, IReadOnlyList<ConsentReceipt> receipts)
        => new(
            "ISO/IEC TS 27560:2023",
            subject is { } s ? new ReceiptExportSubject(s.Kind.ToString().ToLowerInvariant(), s.Id) : null,
            [.. receipts.Select(Record)]);

    private static ReceiptExportRecord Record(ConsentReceipt r) => new(
        r.ReceiptId,
        r.ConsentId,
        r.VisitorId,
        r.UserId,
        r.Timestamp,
        r.ExpiresAt,
        Event(r),
        r.Source,
        new ReceiptExportNotice(r.Revision, r.NoticeHash, r.Language),
        r.Region,
        r.Regime.ToString(),
        "consent",
        [.. r.Granted.Select(k => new ReceiptExportPurpose(k, "granted")), .. r.Denied.Select(k => new ReceiptExportPurpose(k, "refused"))],
        new ReceiptExportSignals(r.GlobalPrivacyControl),
        new ReceiptExportContext(r.PagePath, r.UserAgent, r.IpAddress));

    /// <summary>
    /// The lifecycle event: accept-all gives, reject-all refuses, withdraw withdraws; any other
    /// source (custom choice, opt-out signal, API) updates, with each purpose's status listed.
    /// </summary>
    private static string Event(ConsentReceipt receipt) => receipt.Source switch
    {
        Consent.ConsentSources.AcceptAll => "given",
        Consent.ConsentSources.RejectAll => "refused",
        Consent.ConsentSources.Withdraw => "withdrawn",
        _ => "updated",
    };
}

internal sealed record ReceiptExportDocument(string SchemaVersion, ReceiptExportSubject? Subject, IReadOnlyList<ReceiptExportRecord> Records);

internal sealed record ReceiptExportSubject(string Kind, string Id);

internal sealed record ReceiptExportRecord(
    string RecordId,
    string ConsentId,
    string? VisitorId,
    string? UserId,
    DateTimeOffset Timestamp,
    DateTimeOffset ExpiresAt,
    string Event,
    string CollectionMethod,
    ReceiptExportNotice Notice,
    string? Jurisdiction,
    string Regime,
    string LegalBasis,
    IReadOnlyList<ReceiptExportPurpose> Purposes,
    ReceiptExportSignals Signals,
    ReceiptExportContext Context);

internal sealed record ReceiptExportNotice(int Revision, string? Sha256, string? Language);

internal sealed record ReceiptExportPurpose(string Purpose, string Status);

internal sealed record ReceiptExportSignals(bool GlobalPrivacyControl);

internal sealed record ReceiptExportContext(string? PagePath, string? UserAgent, string? IpAddress);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(ReceiptExportDocument))]
internal sealed partial class ReceiptExportJsonContext : JsonSerializerContext;
