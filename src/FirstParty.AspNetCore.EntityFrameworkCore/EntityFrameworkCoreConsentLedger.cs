using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// The consent ledger in the app's database. Each call runs in its own DI scope with its own
/// context, so the singleton store works with <c>AddDbContext</c> and <c>AddDbContextPool</c> alike.
/// </summary>
internal sealed class EntityFrameworkCoreConsentLedger<TContext>(IServiceScopeFactory scopes, IOptions<EntityFrameworkCoreLedgerOptions> options) : IConsentLedger, IDisposable
    where TContext : DbContext, IConsentLedgerDbContext
{
    private const char Separator = ' ';

    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private volatile bool _schemaReady = !options.Value.EnsureCreated;

    public void Dispose() => _schemaLock.Dispose();

    public async ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        if (receipts.Count == 0)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        var unique = receipts.DistinctBy(r => r.ReceiptId, StringComparer.Ordinal).ToList();
        var ids = unique.Select(r => r.ReceiptId).ToList();

        // A batch retried after an unknown outcome (the commit may have landed) or replayed from the
        // spill file must not be written twice.
        var stored = await context.ConsentReceipts.AsNoTracking()
            .Where(e => ids.Contains(e.ReceiptId))
            .Select(e => e.ReceiptId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var skip = stored.ToHashSet(StringComparer.Ordinal);

        context.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var receipt in unique)
        {
            if (!skip.Contains(receipt.ReceiptId))
            {
                context.ConsentReceipts.Add(ToEntity(receipt));
            }
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<ConsentReceipt>> FindAsync(ReceiptSubject subject, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        var rows = await Select(context.ConsentReceipts.AsNoTracking(), subject)
            .OrderBy(e => e.Timestamp)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows.Select(ToReceipt)];
    }

    public async ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        if (erasure == ReceiptErasure.Delete)
        {
            return await Select(context.ConsentReceipts, subject).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        }

        // One new random consent id per original one, so the pseudonymised history still shows
        // which decisions came from the same browser, but no longer whose browser it was.
        var consentIds = await Select(context.ConsentReceipts, subject).Select(e => e.ConsentId).Distinct()
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var erased = 0;
        foreach (var consentId in consentIds)
        {
            var pseudonym = Guid.NewGuid().ToString();
            erased += await Select(context.ConsentReceipts, subject)
                .Where(e => e.ConsentId == consentId)
                .ExecuteUpdateAsync(
                    setters => setters
                        .SetProperty(e => e.ConsentId, pseudonym)
                        .SetProperty(e => e.VisitorId, (string?)null)
                        .SetProperty(e => e.UserId, (string?)null)
                        .SetProperty(e => e.PagePath, (string?)null)
                        .SetProperty(e => e.UserAgent, (string?)null)
                        .SetProperty(e => e.IpAddress, (string?)null),
                    cancellationToken).ConfigureAwait(false);
        }

        return erased;
    }

    public async ValueTask<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        var before = cutoff.UtcDateTime;
        return await context.ConsentReceipts.Where(e => e.Timestamp < before).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();

        // An embedded SQLite file that does not exist yet "cannot connect" until it is created.
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        return await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates the database when <see cref="EntityFrameworkCoreLedgerOptions.EnsureCreated"/> asks for it; retried until it succeeds.</summary>
    public async Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        if (_schemaReady)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await EnsureSchemaAsync(scope.ServiceProvider.GetRequiredService<TContext>(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<TContext> OpenAsync(AsyncServiceScope scope, CancellationToken cancellationToken)
    {
        var context = scope.ServiceProvider.GetRequiredService<TContext>();
        if (!_schemaReady)
        {
            await EnsureSchemaAsync(context, cancellationToken).ConfigureAwait(false);
        }

        return context;
    }

    private async Task EnsureSchemaAsync(TContext context, CancellationToken cancellationToken)
    {
        await _schemaLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_schemaReady)
            {
                await context.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                _schemaReady = true;
            }
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    private static IQueryable<ConsentReceiptEntity> Select(IQueryable<ConsentReceiptEntity> receipts, ReceiptSubject subject) => subject.Kind switch
    {
        ReceiptSubjectKind.Consent => receipts.Where(e => e.ConsentId == subject.Id),
        ReceiptSubjectKind.Visitor => receipts.Where(e => e.VisitorId == subject.Id),
        ReceiptSubjectKind.User => receipts.Where(e => e.UserId == subject.Id),
        _ => throw new ArgumentOutOfRangeException(nameof(subject), subject.Kind, "Unknown receipt subject kind."),
    };

    internal static ConsentReceiptEntity ToEntity(ConsentReceipt receipt) => new()
    {
        ReceiptId = receipt.ReceiptId,
        ConsentId = receipt.ConsentId,
        VisitorId = receipt.VisitorId,
        UserId = receipt.UserId,
        Timestamp = receipt.Timestamp.UtcDateTime,
        ExpiresAt = receipt.ExpiresAt.UtcDateTime,
        Revision = receipt.Revision,
        NoticeHash = receipt.NoticeHash,
        Regime = receipt.Regime.ToString(),
        Region = receipt.Region,
        Language = receipt.Language,
        Source = receipt.Source,
        Granted = string.Join(Separator, receipt.Granted),
        Denied = string.Join(Separator, receipt.Denied),
        GlobalPrivacyControl = receipt.GlobalPrivacyControl,
        PagePath = receipt.PagePath,
        UserAgent = receipt.UserAgent,
        IpAddress = receipt.IpAddress,
    };

    internal static ConsentReceipt ToReceipt(ConsentReceiptEntity entity) => new()
    {
        ReceiptId = entity.ReceiptId,
        ConsentId = entity.ConsentId,
        VisitorId = entity.VisitorId,
        UserId = entity.UserId,
        Timestamp = new DateTimeOffset(DateTime.SpecifyKind(entity.Timestamp, DateTimeKind.Utc)),
        ExpiresAt = new DateTimeOffset(DateTime.SpecifyKind(entity.ExpiresAt, DateTimeKind.Utc)),
        Revision = entity.Revision,
        NoticeHash = entity.NoticeHash,
        Regime = Enum.TryParse<ConsentRegime>(entity.Regime, out var regime) ? regime : ConsentRegime.OptIn,
        Region = entity.Region,
        Language = entity.Language,
        Source = entity.Source,
        Granted = entity.Granted.Split(Separator, StringSplitOptions.RemoveEmptyEntries),
        Denied = entity.Denied.Split(Separator, StringSplitOptions.RemoveEmptyEntries),
        GlobalPrivacyControl = entity.GlobalPrivacyControl,
        PagePath = entity.PagePath,
        UserAgent = entity.UserAgent,
        IpAddress = entity.IpAddress,
    };
}
