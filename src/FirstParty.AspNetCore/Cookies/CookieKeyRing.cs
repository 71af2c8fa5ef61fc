using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Signing secrets derived from the ASP.NET Core Data Protection key ring: one HKDF-SHA256 secret per
/// Data Protection key, so instances that share a key ring share secrets, rotation follows the key
/// ring's schedule, and a revoked key stops verifying cookies.
/// </summary>
/// <remarks>
/// Per-value Data Protection costs about 8 us and 2 KB per cookie written; an HMAC under a derived
/// secret costs well under a microsecond. When the key ring's master keys cannot be read (no
/// <see cref="IKeyManager"/>, or a descriptor without an exportable master key such as a hardware
/// module), <see cref="Current"/> is null and cookies fall back to per-value Data Protection.
/// </remarks>
internal sealed class CookieKeyRing
{
    public const int IdLength = 8;

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan UnknownKeyReloadInterval = TimeSpan.FromSeconds(30);

    private readonly IKeyManager? _keyManager;
    private readonly IDataProtector? _bootstrap;
    private readonly byte[] _derivationInfo;
    private readonly TimeProvider _time;
    private readonly Lock _reloadLock = new();
    private volatile Snapshot? _snapshot;

    /// <param name="keyManager">The Data Protection key manager, or null when there is none.</param>
    /// <param name="dataProtection">Used once, to create the first key of an empty key ring.</param>
    /// <param name="applicationDiscriminator">
    /// Data Protection's application discriminator: applications isolated by name in one key
    /// repository derive different secrets, as their protectors do.
    /// </param>
    /// <param name="time">Data Protection's clock, against which key activation is judged.</param>
    public CookieKeyRing(IKeyManager? keyManager, IDataProtectionProvider? dataProtection, string? applicationDiscriminator, TimeProvider time)
    {
        _keyManager = keyManager;
        _bootstrap = dataProtection?.CreateProtector("FirstParty.AspNetCore.Cookies.KeyRing");
        _derivationInfo = Encoding.UTF8.GetBytes("FirstParty.AspNetCore.Cookies.v2\0" + applicationDiscriminator);
        _time = time;
    }

    /// <summary>A key ring that never signs: every cookie uses per-value Data Protection.</summary>
    public static CookieKeyRing None { get; } = new(null, null, null, TimeProvider.System);

    /// <summary>The secret new cookies are signed with, or null when signing is unavailable.</summary>
    public Entry? Current => GetSnapshot(forceReload: false)?.Current;

    /// <summary>
    /// What the last load of the key ring found (loading it when due), for the health check; null
    /// when there is no key manager to ask.
    /// </summary>
    public Summary? Describe() => GetSnapshot(forceReload: false) is { } snapshot
        ? new Summary(snapshot.Entries.Count, snapshot.Current?.Expires, snapshot.ReadFailed)
        : null;

    /// <summary>Finds the secret of a key by the id carried in a cookie.</summary>
    public Entry? Find(ReadOnlySpan<char> id)
    {
        var snapshot = GetSnapshot(forceReload: false);
        if (snapshot is null)
        {
            return null;
        }

        if (snapshot.Find(id) is { } entry)
        {
            return entry;
        }

        return ReloadForUnknownKey(snapshot)?.Find(id);
    }

    /// <summary>Every key that may verify a value (format 3 carries only a hint of its key), oldest load first.</summary>
    public IReadOnlyList<Entry> Entries => GetSnapshot(forceReload: false)?.Entries ?? [];

    /// <summary>
    /// The keys after a reload, when none of <paramref name="seen"/> verified a value and the last load
    /// is old enough to look again; null otherwise (nothing new to try).
    /// </summary>
    public IReadOnlyList<Entry>? ReloadForUnknownKey(IReadOnlyList<Entry> seen)
    {
        var snapshot = GetSnapshot(forceReload: false);
        if (snapshot is null || !ReferenceEquals(snapshot.Entries, seen))
        {
            // Another request reloaded in between: its keys are new to the caller.
            return snapshot?.Entries;
        }

        return ReloadForUnknownKey(snapshot)?.Entries;
    }

    private Snapshot? ReloadForUnknownKey(Snapshot snapshot)
    {
        // Another instance may have started using a key this one has not loaded yet; look again,
        // but not more often than every 30 seconds, whatever ids requests make up.
        if (_time.GetUtcNow() - snapshot.LoadedAt < UnknownKeyReloadInterval)
        {
            return null;
        }

        return GetSnapshot(forceReload: true);
    }

    private Snapshot? GetSnapshot(bool forceReload)
    {
        if (_keyManager is null)
        {
            return null;
        }

        var snapshot = _snapshot;
        var now = _time.GetUtcNow();
        if (snapshot is not null && !forceReload && now - snapshot.LoadedAt < RefreshInterval)
        {
            return snapshot;
        }

        lock (_reloadLock)
        {
            if (_snapshot is { } current && current != snapshot)
            {
                return current;
            }

            try
            {
                _snapshot = Load();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The key store is unreachable: keep signing and verifying with the keys already
                // loaded, and try again at the next interval rather than on every request.
                _snapshot = new Snapshot(now, snapshot?.Current, snapshot?.Entries ?? [], readFailed: true);
            }

            return _snapshot;
        }
    }

    private Snapshot Load()
    {
        var keys = _keyManager!.GetAllKeys();
        var now = _time.GetUtcNow();
        if (!keys.Any(k => IsActive(k, now)) && _bootstrap is not null)
        {
            // A new key ring has no key until the first protect operation creates one; it becomes
            // active at Data Protection's "now", so read the clock again afterwards.
            _bootstrap.Protect([1]);
            keys = _keyManager.GetAllKeys();
            now = _time.GetUtcNow();
        }

        var entries = new List<Entry>();
        Entry? current = null;
        var currentActivation = DateTimeOffset.MinValue;
        foreach (var key in keys)
        {
            if (key.IsRevoked || TryDerive(key, _derivationInfo) is not { } entry)
            {
                continue;
            }

            entries.Add(entry);
            if (IsActive(key, now) && key.ActivationDate > currentActivation)
            {
                current = entry;
                currentActivation = key.ActivationDate;
            }
        }

        return new Snapshot(now, current, entries);
    }

    private static bool IsActive(IKey key, DateTimeOffset now)
        => !key.IsRevoked && key.ActivationDate <= now && key.ExpirationDate > now;

    private static Entry? TryDerive(IKey key, byte[] derivationInfo)
    {
        try
        {
            var element = key.Descriptor.ExportToXml().SerializedDescriptorElement;
            var value = element.Element("masterKey")?.Element("value")?.Value;
            if (string.IsNullOrEmpty(value))
            {
                return null;
            }

            var masterKey = Convert.FromBase64String(value);
            try
            {
                var secret = HKDF.DeriveKey(HashAlgorithmName.SHA256, masterKey, 32, key.KeyId.ToByteArray(), derivationInfo);
                return new Entry(key.KeyId.ToString("N")[..IdLength], secret, key.ExpirationDate);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(masterKey);
            }
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or InvalidOperationException)
        {
            // A key whose descriptor cannot be decrypted or exported cannot sign; skip it.
            return null;
        }
    }

    /// <summary>A derived secret, the short key id that format-2 values carry and the one-byte hint of format 3.</summary>
    internal sealed record Entry(string Id, byte[] Secret, DateTimeOffset Expires)
    {
        /// <summary>The first byte of the key id (its first two hex digits).</summary>
        public byte Hint { get; } = byte.Parse(Id.AsSpan(0, 2), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The usable keys, when the current one expires, and whether the last read of the key store failed.</summary>
    internal readonly record struct Summary(int Keys, DateTimeOffset? CurrentExpires, bool ReadFailed);

    private sealed class Snapshot(DateTimeOffset loadedAt, Entry? current, List<Entry> entries, bool readFailed = false)
    {
        public DateTimeOffset LoadedAt { get; } = loadedAt;

        public bool ReadFailed { get; } = readFailed;

        public Entry? Current { get; } = current;

        public List<Entry> Entries { get; } = entries;

        public Entry? Find(ReadOnlySpan<char> id)
        {
            foreach (var entry in Entries)
            {
                if (id.SequenceEqual(entry.Id))
                {
                    return entry;
                }
            }

            return null;
        }
    }
}
