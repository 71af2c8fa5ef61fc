using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace FirstParty.AspNetCore.EntityFrameworkCore.Tests;

/// <summary>
/// Holds (or fails) the first insert into the receipts table of one instance: a slow append that
/// has read the tombstones and not yet written, the widest window an erasure elsewhere can race.
/// </summary>
internal sealed class ReceiptInsertGate(bool fail = false) : DbCommandInterceptor
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _held;

    /// <summary>Completes when an insert is being held.</summary>
    public Task Reached => _reached.Task;

    /// <summary>Inserts that failed on purpose.</summary>
    public int Failed { get; private set; }

    public void Release() => _released.TrySetResult();

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains("INSERT INTO \"" + ConsentReceiptEntityConfiguration.TableName + "\"", StringComparison.Ordinal))
        {
            if (fail)
            {
                Failed++;
                throw new InvalidOperationException("This instance cannot write receipts (test).");
            }

            if (Interlocked.Exchange(ref _held, 1) == 0)
            {
                _reached.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }
        }

        return result;
    }
}
