namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

internal static class Receipts
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    /// <summary>After every receipt <see cref="Create"/> makes with minutes under a day.</summary>
    public static readonly DateTimeOffset After = Start.AddDays(1);

    public static ConsentReceipt Create(string consentId, int minute = 0, string? visitorId = null, string? userId = null) => new()
    {
        ReceiptId = Guid.NewGuid().ToString(),
        ConsentId = consentId,
        VisitorId = visitorId,
        UserId = userId,
        Timestamp = Start.AddMinutes(minute),
        Revision = 3,
        NoticeHash = new string('a', 64),
        Regime = ConsentRegime.OptOut,
        Region = "US-CA",
        Language = "fr-FR",
        Source = "custom",
        Granted = ["necessary", "marketing/youtube"],
        Denied = ["analytics", "marketing"],
        GlobalPrivacyControl = true,
        ExpiresAt = Start.AddMinutes(minute).AddDays(395),
        PagePath = "/menu",
        UserAgent = "Mozilla/5.0 (X11; Linux x86_64)",
        IpAddress = "203.0.113.0",
    };
}
