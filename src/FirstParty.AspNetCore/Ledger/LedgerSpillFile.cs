using System.Buffers;
using System.Text.Json;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FirstParty.AspNetCore.Ledger;

/// <summary>
/// An append-only file of ledger operations that could not reach the store. Each line is one JSON
/// operation, flushed to disk before <see cref="Append"/> returns. The file is held open (shared for
/// reading only) for the life of the writer, so another writer never adopts a live file; a file
/// left by a stopped or crashed process can be opened exclusively and is adopted at startup.
/// </summary>
internal sealed class LedgerSpillFile : IDisposable
{
    internal const string Extension = ".jsonl";
    private const int ReadChunkBytes = 4 * 1024 * 1024;

    private readonly string _directory;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private FileStream? _stream;
    private long _count;
    private DateTimeOffset? _oldest;

    public LedgerSpillFile(string directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
    }

    /// <summary>The file of this writer, once something has been spilled.</summary>
    public string? FilePath => _stream?.Name;

    /// <summary>True while operations wait in the file: new ones must follow them there to keep their order.</summary>
    public bool IsActive => Volatile.Read(ref _count) > 0;

    /// <summary>Operations waiting in the file.</summary>
    public long PendingCount => Volatile.Read(ref _count);

    /// <summary>When the oldest waiting operation was asked for.</summary>
    public DateTimeOffset? Oldest
    {
        get
        {
            lock (_lock)
            {
                return _oldest;
            }
        }
    }

    /// <summary>Appends operations and flushes them to disk. Throws when the disk refuses them.</summary>
    public void Append(IReadOnlyList<LedgerOperation> operations)
    {
        if (operations.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(operations.Count * 512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            foreach (var operation in operations)
            {
                JsonSerializer.Serialize(json, operation, LedgerJsonContext.Default.LedgerOperation);
                json.Flush();
                buffer.Write("\n"u8);
                json.Reset();
            }
        }

        lock (_lock)
        {
            var stream = _stream ??= Create();
            stream.Seek(0, SeekOrigin.End);
            stream.Write(buffer.WrittenSpan);
            stream.Flush(flushToDisk: true);
            _oldest ??= operations[0].QueuedAt;
            Volatile.Write(ref _count, _count + operations.Count);
        }
    }

    /// <summary>
    /// Reads the operations from <paramref name="offset"/>, at most a few megabytes at a time; returns
    /// them and the offset after the last whole line read.
    /// </summary>
    public (List<LedgerOperation> Operations, long NextOffset) Read(long offset)
    {
        byte[] bytes;
        int length;
        lock (_lock)
        {
            if (_stream is null || offset >= _stream.Length)
            {
                return ([], offset);
            }

            length = (int)Math.Min(ReadChunkBytes, _stream.Length - offset);
            bytes = ArrayPool<byte>.Shared.Rent(length);
            _stream.Seek(offset, SeekOrigin.Begin);
            _stream.ReadExactly(bytes, 0, length);
        }

        try
        {
            var span = bytes.AsSpan(0, length);
            var end = span.LastIndexOf((byte)'\n') + 1;
            var operations = Parse(span[..end], _stream.Name, _logger);
            return (operations, offset + end);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Called after everything up to <paramref name="offset"/> reached the store: empties the file
    /// when nothing was appended since and returns true, else returns false (read on).
    /// </summary>
    public bool TryComplete(long offset)
    {
        lock (_lock)
        {
            if (_stream is null)
            {
                return true;
            }

            if (_stream.Length > offset)
            {
                return false;
            }

            _stream.SetLength(0);
            _stream.Flush(flushToDisk: true);
            _oldest = null;
            Volatile.Write(ref _count, 0);
            return true;
        }
    }

    /// <summary>
    /// Spill files of writers that are no longer running (another process or an earlier run): each
    /// is opened exclusively, so a live writer's file is never taken.
    /// </summary>
    public IEnumerable<(string Path, List<LedgerOperation> Operations)> AdoptOrphans()
    {
        if (!Directory.Exists(_directory))
        {
            yield break;
        }

        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            if (string.Equals(path, FilePath, StringComparison.Ordinal))
            {
                continue;
            }

            List<LedgerOperation> operations;
            try
            {
                using var orphan = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
                using var memory = new MemoryStream();
                orphan.CopyTo(memory);
                operations = Parse(memory.GetBuffer().AsSpan(0, (int)memory.Length), path, _logger);
            }
            catch (IOException)
            {
                // Held by a running writer.
                continue;
            }

            yield return (path, operations);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_stream is null)
            {
                return;
            }

            var path = _stream.Name;
            var empty = _stream.Length == 0;
            _stream.Dispose();
            _stream = null;
            if (empty)
            {
                File.Delete(path);
            }
        }
    }

    private FileStream Create()
    {
        Directory.CreateDirectory(_directory);
        var path = Path.Combine(_directory, $"spill-{Environment.ProcessId}-{Guid.NewGuid():N}{Extension}");
        return new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.None);
    }

    /// <summary>Parses whole lines; a line that is not an operation is kept aside in a <c>.rejected</c> file and logged, never dropped.</summary>
    private static List<LedgerOperation> Parse(ReadOnlySpan<byte> lines, string path, ILogger logger)
    {
        var operations = new List<LedgerOperation>();
        var number = 0;
        while (!lines.IsEmpty)
        {
            var end = lines.IndexOf((byte)'\n');
            var line = end < 0 ? lines : lines[..end];
            lines = end < 0 ? [] : lines[(end + 1)..];
            number++;
            if (line.Trim(" \r\t"u8).IsEmpty)
            {
                continue;
            }

            LedgerOperation? operation = null;
            try
            {
                operation = JsonSerializer.Deserialize(line, LedgerJsonContext.Default.LedgerOperation);
            }
            catch (JsonException)
            {
            }

            if (operation is null || operation.IsWake || (operation.Append is { } receipt && (receipt.ReceiptId is null || receipt.ConsentId is null)))
            {
                logger.SpillLineRejected(path, number);
                using var rejected = new FileStream(path + ".rejected", FileMode.Append, FileAccess.Write, FileShare.Read);
                rejected.Write(line);
                rejected.Write("\n"u8);
                continue;
            }

            operations.Add(operation);
        }

        return operations;
    }
}
