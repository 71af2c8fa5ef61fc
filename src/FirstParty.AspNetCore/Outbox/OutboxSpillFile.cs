using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FirstParty.AspNetCore.Outbox;

/// <summary>
/// An append-only file of items that could not reach their sink. Each line is one JSON item,
/// flushed to disk before <see cref="Append"/> returns. The file is held open (shared for reading
/// only) for the life of its outbox, so another outbox never adopts a live file; a file left by a
/// stopped or crashed process can be opened exclusively and is adopted at startup.
/// </summary>
internal sealed class OutboxSpillFile<T> : IDisposable
    where T : class, IOutboxItem
{
    internal const string Extension = ".jsonl";
    private const int ReadChunkBytes = 4 * 1024 * 1024;

    private readonly string _directory;
    private readonly JsonTypeInfo<T> _json;
    private readonly Func<T, bool> _isValid;
    private readonly Action<string, int>? _lineRejected;
    private readonly Lock _lock = new();
    private FileStream? _stream;
    private long _count;
    private DateTimeOffset? _oldest;

    /// <param name="directory">The folder of the spill files (created on the first append).</param>
    /// <param name="json">How an item is written on one line and read back.</param>
    /// <param name="isValid">False for a line that parses but is not a usable item.</param>
    /// <param name="lineRejected">Told the file and line number of each line kept aside in <c>.rejected</c>.</param>
    public OutboxSpillFile(string directory, JsonTypeInfo<T> json, Func<T, bool>? isValid = null, Action<string, int>? lineRejected = null)
    {
        _directory = directory;
        _json = json;
        _isValid = isValid ?? (static _ => true);
        _lineRejected = lineRejected;
    }

    /// <summary>The file of this outbox, once something has been spilled.</summary>
    public string? FilePath => _stream?.Name;

    /// <summary>True while items wait in the file: new ones must follow them there to keep their order.</summary>
    public bool IsActive => Volatile.Read(ref _count) > 0;

    /// <summary>Items waiting in the file.</summary>
    public long PendingCount => Volatile.Read(ref _count);

    /// <summary>When the oldest waiting item was asked for.</summary>
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

    /// <summary>Appends items and flushes them to disk. Throws when the disk refuses them.</summary>
    public void Append(IReadOnlyList<T> items)
    {
        if (items.Count == 0)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(items.Count * 512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            foreach (var item in items)
            {
                JsonSerializer.Serialize(json, item, _json);
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
            _oldest ??= items[0].QueuedAt;
            Volatile.Write(ref _count, _count + items.Count);
        }
    }

    /// <summary>
    /// Reads the items from <paramref name="offset"/>, at most a few megabytes at a time; returns
    /// them and the offset after the last whole line read.
    /// </summary>
    public (List<T> Items, long NextOffset) Read(long offset)
    {
        byte[] bytes;
        int length;
        string path;
        lock (_lock)
        {
            if (_stream is null || offset >= _stream.Length)
            {
                return ([], offset);
            }

            path = _stream.Name;
            length = (int)Math.Min(ReadChunkBytes, _stream.Length - offset);
            bytes = ArrayPool<byte>.Shared.Rent(length);
            _stream.Seek(offset, SeekOrigin.Begin);
            _stream.ReadExactly(bytes, 0, length);
        }

        try
        {
            var span = bytes.AsSpan(0, length);
            var end = span.LastIndexOf((byte)'\n') + 1;
            var items = Parse(span[..end], path);
            return (items, offset + end);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>
    /// Called after everything up to <paramref name="offset"/> left the file: empties the file
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
    /// Spill files of outboxes that are no longer running (another process or an earlier run):
    /// each is opened exclusively, so a live outbox's file is never taken.
    /// </summary>
    public IEnumerable<(string Path, List<T> Items)> AdoptOrphans()
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

            List<T> items;
            try
            {
                using var orphan = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None);
                using var memory = new MemoryStream();
                orphan.CopyTo(memory);
                items = Parse(memory.GetBuffer().AsSpan(0, (int)memory.Length), path);
            }
            catch (IOException)
            {
                // Held by a running outbox.
                continue;
            }

            yield return (path, items);
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

    /// <summary>Parses whole lines; a line that is not an item is kept aside in a <c>.rejected</c> file and reported, never dropped.</summary>
    private List<T> Parse(ReadOnlySpan<byte> lines, string path)
    {
        var items = new List<T>();
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

            T? item = null;
            try
            {
                item = JsonSerializer.Deserialize(line, _json);
            }
            catch (JsonException)
            {
            }

            if (item is null || !_isValid(item))
            {
                _lineRejected?.Invoke(path, number);
                using var rejected = new FileStream(path + ".rejected", FileMode.Append, FileAccess.Write, FileShare.Read);
                rejected.Write(line);
                rejected.Write("\n"u8);
                continue;
            }

            items.Add(item);
        }

        return items;
    }
}
