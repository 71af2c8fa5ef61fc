using FirstParty.AspNetCore.Internal;
using System.Globalization;
using FirstParty.AspNetCore.Consent;
using FirstParty.AspNetCore.Visitors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>Builds the receipt of a decision from the request it was made in.</summary>
internal sealed class ConsentReceiptFactory(ConsentPolicy policy, NoticeFingerprint notice, IOptions<FirstPartyOptions> options)
{
    private readonly ConsentLedgerOptions _options = options.Value.Ledger;

    public ConsentReceipt Create(HttpContext context, ConsentRecord record, string? visitorId, bool globalPrivacyControl, DateTimeOffset now, string? pagePath)
    {
        // The receipt proves what the state endpoint reports for this decision: one rule decides both.
        var (granted, denied) = policy.Purposes(record);
        var culture = CultureInfo.CurrentUICulture;
        return new ConsentReceipt
        {
            ReceiptId = RandomIds.NewUuid(),
            ConsentId = record.Id,
            VisitorId = visitorId,
            UserId = UserId(context),
            Timestamp = now,
            Revision = record.Revision,
            NoticeHash = notice.For(culture),
            Regime = record.Regime,
            Region = record.Region,
            Language = string.IsNullOrEmpty(culture.Name) ? null : culture.Name,
            Source = record.Source,
            Granted = granted,
            Denied = denied,
            GlobalPrivacyControl = globalPrivacyControl,
            ExpiresAt = DateTimeOffset.FromUnixTimeSeconds(record.ExpiresAt),
            PagePath = PathOnly(pagePath),
            UserAgent = Truncate(context.Request.Headers[HeaderNames.UserAgent].ToString(), _options.UserAgentMaxLength),
            IpAddress = IpAnonymizer.Anonymize(context.Connection.RemoteIpAddress),
        };
    }

    private string? UserId(HttpContext context)
    {
        var id = _options.UserId(context);
        return string.IsNullOrEmpty(id) ? null : Truncate(id, 256);
    }

    /// <summary>The path of a local URL: a query string may hold personal data and is not kept.</summary>
    private static string? PathOnly(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return null;
        }

        var end = url.AsSpan().IndexOfAny('?', '#');
        return Truncate(end < 0 ? url : url[..end], 512);
    }

    private static string? Truncate(string value, int max)
        => max == 0 || value.Length == 0 ? null : value.Length <= max ? value : value[..max];
}
