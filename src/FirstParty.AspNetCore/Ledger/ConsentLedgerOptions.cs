using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>How receipts reach the ledger, bound from <c>FirstParty:Ledger</c>.</summary>
public sealed class ConsentLedgerOptions
{
    /// <summary>
    /// <see cref="ConsentLedgerMode.Background"/> (default): a decision is answered at once and its
    /// receipt written by a background writer. <see cref="ConsentLedgerMode.Strict"/>: the answer
    /// waits until the receipt is durable (in the store, or in the spill file while the store is down).
    /// </summary>
    public ConsentLedgerMode Mode { get; set; } = ConsentLedgerMode.Background;

    /// <summary>Receipts held in memory for the background writer; beyond this they go to the spill file. Default 10,000.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Receipts written per batch. Default 256.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>The first wait before retrying a failed write; it doubles up to <see cref="MaxRetryDelay"/>. Default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest wait between retries. Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The folder of the append-only spill files that keep receipts while the store is down and
    /// across restarts. Relative paths are under the content root. Default <c>App_Data/FirstParty/ledger</c>.
    /// </summary>
    public string SpillDirectory { get; set; } = "App_Data/FirstParty/ledger";

    /// <summary>How long receipts are kept before the background purge deletes them; null keeps them forever. Default 3 years.</summary>
    public TimeSpan? Retention { get; set; } = TimeSpan.FromDays(3 * 365);

    /// <summary>How often the retention purge runs. Default one day.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>What <c>POST /_fp/forget</c> does to this browser's receipts. Default <see cref="ReceiptErasure.Delete"/>.</summary>
    public ReceiptErasure ForgetErasure { get; set; } = ReceiptErasure.Delete;

    /// <summary>
    /// How far the clock of an instance that makes receipts may run ahead of the clock of the
    /// instance that erases. An erasure also erases receipts of its subject made up to this long
    /// after it that reach the store later, so a receipt made before the erasure on an instance
    /// whose clock is ahead never comes back. Default 5 minutes; at most one hour.
    /// </summary>
    public TimeSpan ErasureClockSkew { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The secret (at least 32 characters, for example 32 random bytes in base64) the staff action
    /// log hashes subject ids with, so a request can later be matched to what staff did without the
    /// log keeping the id. Keep it in a secret store, the same on every instance. When unset, each
    /// run uses a random key (logged as a warning): its hashes match nothing after a restart.
    /// </summary>
    public string? StaffActionKey { get; set; }

    /// <summary>User-Agent characters kept on a receipt. Default 256; 0 keeps none.</summary>
    public int UserAgentMaxLength { get; set; } = 256;

    /// <summary>
    /// The user id put on receipts. Default: the <c>NameIdentifier</c> claim of an authenticated
    /// user, else null. Set in code (it is not bound from configuration).
    /// </summary>
    public Func<HttpContext, string?> UserId { get; set; } = DefaultUserId;

    private static string? DefaultUserId(HttpContext context)
        => context.User.Identity?.IsAuthenticated == true
            ? context.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value
            : null;
}

/// <summary>Whether a consent answer waits for its receipt to be durable.</summary>
public enum ConsentLedgerMode
{
    /// <summary>The receipt is queued and written in the background; the answer does not wait.</summary>
    Background,

    /// <summary>The answer waits until the receipt is in the store or, while the store is down, in the spill file.</summary>
    Strict,
}
