using System.Data;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.EntityFrameworkCore;

/// <summary>
/// The consent ledger in the app's database. Each call runs in its own DI scope with its own
/// context, so the singleton store works with <c>AddDbContext</c> and <c>AddDbContextPool</c> alike.
/// Appends, erasures and purges run in serializable transactions so that an erasure's tombstone
/// and every append on any instance see each other (see <see cref="IConsentLedger.AppendAsync"/>).
/// </summary>
internal sealed class EntityFrameworkCoreConsentLedger<TContext>(
    IServiceScopeFactory scopes,
    IOptions<EntityFrameworkCoreLedgerOptions> options,
    ILogger<EntityFrameworkCoreConsentLedger<TContext>> logger) : IConsentLedger, IConsentLedgerInsights, IDisposable
    where TContext : DbContext, IConsentLedgerDbContext
{
    private const char Separator = ' ';
    private const int MaxConflictAttempts = 5;
    private const string ConsentKind = nameof(ReceiptSubjectKind.Consent);
    private const string VisitorKind = nameof(ReceiptSubjectKind.Visitor);
    private const string UserKind = nameof(ReceiptSubjectKind.User);

    private readonly ILogger _logger = logger;
    private volatile bool _tombstoneTableMissing;

    private readonly SemaphoreSlim _schemaLock = new(1, 1);
    private readonly bool _migrate = options.Value.MigrateAtStartup;
    private volatile bool _schemaReady = !options.Value.EnsureCreated && !options.Value.MigrateAtStartup;

    public void Dispose() => _schemaLock.Dispose();

    public async ValueTask AppendAsync(IReadOnlyList<ConsentReceipt> receipts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipts);
        if (receipts.Count == 0)
        {
            return;
        }

        var unique = receipts.DistinctBy(r => r.ReceiptId, StringComparer.Ordinal).ToList();
        var erased = await InTransactionAsync((context, token) => AppendAsync(context, unique, token), cancellationToken).ConfigureAwait(false);
        if (erased > 0)
        {
            _logger.LateReceiptsErased(erased);
        }
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

    public async ValueTask<int> EraseAsync(ReceiptSubject subject, ReceiptErasure erasure, DateTimeOffset erasedBefore, CancellationToken cancellationToken = default)
        => await InTransactionAsync((context, token) => EraseAsync(context, subject, erasure, erasedBefore, token), cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> PurgeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var before = cutoff.UtcDateTime;
        return await InTransactionAsync(
            async (context, token) =>
            {
                var purged = await context.ConsentReceipts.Where(e => e.Timestamp < before).ExecuteDeleteAsync(token).ConfigureAwait(false);

                // A tombstone older than the cutoff only reaches receipts the purge deletes anyway.
                await context.ErasureTombstones.Where(e => e.ErasedBefore < before).ExecuteDeleteAsync(token).ConfigureAwait(false);
                return purged;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<ConsentAggregate>> AggregateAsync(DateTimeOffset since, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        var from = since.UtcDateTime;
        var to = until.UtcDateTime;

        // Counted by the database: only the groups leave it, never a row.
        var groups = await context.ConsentReceipts.AsNoTracking()
            .Where(e => e.Timestamp >= from && e.Timestamp < to)
            .GroupBy(e => new { e.Timestamp.Date, e.Region, e.Revision, e.Source })
            .Select(g => new { g.Key.Date, g.Key.Region, g.Key.Revision, g.Key.Source, Count = g.Count() })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return
        [
            .. groups
                .Select(g => new ConsentAggregate(DateOnly.FromDateTime(g.Date), g.Region, g.Revision, g.Source, g.Count))
                .OrderBy(a => a.Day).ThenBy(a => a.Region, StringComparer.Ordinal).ThenBy(a => a.Revision).ThenBy(a => a.Source, StringComparer.Ordinal),
        ];
    }

    public async ValueTask AppendStaffActionAsync(StaffAction action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(action);
        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        context.StaffActions.Add(new StaffActionEntity
        {
            Timestamp = action.Timestamp.UtcDateTime,
            Staff = action.Staff.Length > 256 ? action.Staff[..256] : action.Staff,
            Action = action.Action,
            SubjectKind = action.SubjectKind.ToString(),
            SubjectHash = action.SubjectHash,
            Count = action.Count,
        });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<StaffAction>> StaffActionsAsync(int limit, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        var rows = await context.StaffActions.AsNoTracking()
            .OrderByDescending(e => e.Timestamp).ThenByDescending(e => e.Id)
            .Take(limit)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return
        [
            .. rows.Select(e => new StaffAction
            {
                Timestamp = new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc)),
                Staff = e.Staff,
                Action = e.Action,
                SubjectKind = Enum.TryParse<ReceiptSubjectKind>(e.SubjectKind, out var kind) ? kind : ReceiptSubjectKind.Consent,
                SubjectHash = e.SubjectHash,
                Count = e.Count,
            }),
        ];
    }

    public async ValueTask<bool> IsReachableAsync(CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();

        // An embedded SQLite file that does not exist yet "cannot connect" until it is created.
        var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
        return await context.Database.CanConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Creates or migrates the database when <see cref="EntityFrameworkCoreLedgerOptions.EnsureCreated"/>
    /// or <see cref="EntityFrameworkCoreLedgerOptions.MigrateAtStartup"/> asks for it; retried until it succeeds.
    /// </summary>
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
                if (_migrate)
                {
                    await LedgerMigrator.MigrateAsync(context, _logger, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await context.Database.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
                }

                _schemaReady = true;
            }
        }
        finally
        {
            _schemaLock.Release();
        }
    }

    /// <summary>
    /// Appends inside the caller's serializable transaction: reading the tombstones and inserting
    /// must not interleave with an erasure on another instance, or a receipt made before that
    /// erasure could be inserted after its delete ran and before its tombstone was visible.
    /// </summary>
    private static async Task<int> AppendAsync(TContext context, List<ConsentReceipt> unique, CancellationToken cancellationToken)
    {
        var ids = unique.Select(r => r.ReceiptId).ToList();

        // A batch retried after an unknown outcome (the commit may have landed) or replayed from the
        // spill file must not be written twice.
        var stored = await context.ConsentReceipts.AsNoTracking()
            .Where(e => ids.Contains(e.ReceiptId))
            .Select(e => e.ReceiptId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var skip = stored.ToHashSet(StringComparer.Ordinal);
        var fresh = unique.Where(r => !skip.Contains(r.ReceiptId)).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        var consentIds = fresh.Select(r => r.ConsentId).Distinct(StringComparer.Ordinal).ToList();
        var visitorIds = fresh.Where(r => r.VisitorId is not null).Select(r => r.VisitorId!).Distinct(StringComparer.Ordinal).ToList();
        var userIds = fresh.Where(r => r.UserId is not null).Select(r => r.UserId!).Distinct(StringComparer.Ordinal).ToList();
        var tombstones = await context.ErasureTombstones.AsNoTracking()
            .Where(t => (t.SubjectKind == ConsentKind && consentIds.Contains(t.SubjectId))
                || (t.SubjectKind == VisitorKind && visitorIds.Contains(t.SubjectId))
                || (t.SubjectKind == UserKind && userIds.Contains(t.SubjectId)))
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        Dictionary<string, string>? pseudonyms = null;
        var erased = 0;
        context.ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var receipt in fresh)
        {
            var entity = ToEntity(receipt);
            switch (ErasureOf(entity, tombstones))
            {
                case ReceiptErasure.Delete:
                    erased++;
                    continue;
                case ReceiptErasure.Pseudonymise:
                    // A pseudonym of its own: the tombstone keeps nothing that links it to the one given at erasure.
                    pseudonyms ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    if (!pseudonyms.TryGetValue(entity.ConsentId, out var pseudonym))
                    {
                        pseudonyms[entity.ConsentId] = pseudonym = Guid.NewGuid().ToString();
                    }

                    Pseudonymise(entity, pseudonym);
                    erased++;
                    break;
            }

            context.ConsentReceipts.Add(entity);
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return erased;
    }

    /// <summary>Delete when a tombstone newer than the receipt says so (deletion wins), Pseudonymise when only such tombstones match, else null.</summary>
    private static ReceiptErasure? ErasureOf(ConsentReceiptEntity receipt, List<ErasureTombstoneEntity> tombstones)
    {
        ReceiptErasure? result = null;
        foreach (var tombstone in tombstones)
        {
            var id = tombstone.SubjectKind switch
            {
                ConsentKind => receipt.ConsentId,
                VisitorKind => receipt.VisitorId,
                UserKind => receipt.UserId,
                _ => null,
            };
            if (!string.Equals(id, tombstone.SubjectId, StringComparison.Ordinal) || receipt.Timestamp >= tombstone.ErasedBefore)
            {
                continue;
            }

            if (!string.Equals(tombstone.Erasure, nameof(ReceiptErasure.Pseudonymise), StringComparison.Ordinal))
            {
                // Anything but an explicit pseudonymisation deletes: erring towards erasure.
                return ReceiptErasure.Delete;
            }

            result = ReceiptErasure.Pseudonymise;
        }

        return result;
    }

    private static async Task<int> EraseAsync(TContext context, ReceiptSubject subject, ReceiptErasure erasure, DateTimeOffset erasedBefore, CancellationToken cancellationToken)
    {
        // In the erasure's own transaction: an erasure without its tombstone could be undone by the next late receipt.
        context.ErasureTombstones.Add(new ErasureTombstoneEntity
        {
            SubjectKind = KindName(subject.Kind),
            SubjectId = subject.Id,
            ErasedBefore = erasedBefore.UtcDateTime,
            Erasure = erasure == ReceiptErasure.Pseudonymise ? nameof(ReceiptErasure.Pseudonymise) : nameof(ReceiptErasure.Delete),
        });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

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

    /// <summary>
    /// Runs <paramref name="work"/> in a serializable transaction in a fresh scope, through the
    /// context's execution strategy (so an app's retrying strategy keeps working). A serialization
    /// conflict with another instance is retried here after a short random wait; it means the two
    /// raced, and the retry sees the other's outcome.
    /// </summary>
    private async Task<T> InTransactionAsync<T>(Func<TContext, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var context = await OpenAsync(scope, cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await context.Database.CreateExecutionStrategy().ExecuteAsync(
                    async token =>
                    {
                        context.ChangeTracker.Clear();
                        await using var transaction = await context.Database.BeginTransactionAsync(IsolationLevel.Serializable, token).ConfigureAwait(false);
                        var value = await work(context, token).ConfigureAwait(false);
                        await transaction.CommitAsync(token).ConfigureAwait(false);
                        return value;
                    },
                    cancellationToken).ConfigureAwait(false);
                _tombstoneTableMissing = false;
                return result;
            }
            catch (Exception ex) when (attempt < MaxConflictAttempts && IsSerializationConflict(ex))
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(10, 60) * attempt), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTombstoneTableMissing(ex))
            {
                // Once per outage of the table, not at every retry of the writer.
                if (!_tombstoneTableMissing)
                {
                    _tombstoneTableMissing = true;
                    _logger.TombstoneTableMissing(ex);
                }

                throw new InvalidOperationException(
                    $"The consent ledger's table {ErasureTombstoneEntityConfiguration.TableName} does not exist: the database was created by an earlier schema. Apply the migrations that add it.",
                    ex);
            }
        }
    }

    private static bool IsSerializationConflict(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            // 40001 serialization_failure, 40P01 deadlock_detected (SQLSTATE, as PostgreSQL reports them).
            if (ex is DbException { SqlState: "40001" or "40P01" })
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsTombstoneTableMissing(Exception exception)
    {
        for (var ex = exception; ex is not null; ex = ex.InnerException)
        {
            // Providers name the missing table in their message (SQLite "no such table: X",
            // PostgreSQL 42P01 "relation \"X\" does not exist", SQL Server "Invalid object name 'X'").
            if (ex is DbException && ex.Message.Contains(ErasureTombstoneEntityConfiguration.TableName, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static void Pseudonymise(ConsentReceiptEntity entity, string pseudonym)
    {
        entity.ConsentId = pseudonym;
        entity.VisitorId = null;
        entity.UserId = null;
        entity.PagePath = null;
        entity.UserAgent = null;
        entity.IpAddress = null;
    }

    private static string KindName(ReceiptSubjectKind kind) => kind switch
    {
        ReceiptSubjectKind.Consent => ConsentKind,
        ReceiptSubjectKind.Visitor => VisitorKind,
        ReceiptSubjectKind.User => UserKind,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown receipt subject kind."),
    };

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
