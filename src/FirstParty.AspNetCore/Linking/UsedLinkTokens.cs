using System.Collections.Concurrent;
using System.Security.Cryptography;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Linking;

/// <summary>
/// Remembers which link tokens (by nonce) were used until they expire, so each is adopted once: in
/// this instance's memory always, and in the app's <see cref="IDistributedCache"/> (Redis on a farm)
/// when one is registered, so a link used on one instance is refused on the others.
/// </summary>
/// <remarks>
/// <see cref="IDistributedCache"/> has no atomic "add if absent", so two instances given the same
/// token within one round trip of each other can both accept it: each reads the key, writes its own
/// claim and reads it back, and only a claim still there wins. What remains is a first use on one
/// instance whose write and read-back both happen between the other's read and write. A store that
/// fails or does not answer in time never fails the request: memory decides alone, logged and counted
/// (a late answer still records the token).
/// </remarks>
internal sealed class UsedLinkTokens
{
    internal const string KeyPrefix = "firstparty:link:";
    private const string MemoryStore = "this instance's memory only (no IDistributedCache shared by the instances is registered)";

    private readonly ConcurrentDictionary<string, long> _local = new(StringComparer.Ordinal);
    private readonly IDistributedCache? _shared;
    private readonly string _store;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly FirstPartyMetrics _metrics;
    private readonly ILogger _logger;
    private readonly bool _linkingEnabled;

    public UsedLinkTokens(
        IOptions<FirstPartyOptions> options,
        TimeProvider time,
        FirstPartyMetrics metrics,
        ILogger<UsedLinkTokens> logger,
        IDistributedCache? cache = null)
    {
        // MemoryDistributedCache (AddDistributedMemoryCache) lives in this process like the dictionary:
        // going through it would add serialisation and share nothing.
        _shared = cache is null or MemoryDistributedCache ? null : cache;
        _store = _shared is null ? MemoryStore : _shared.GetType().Name;
        _timeout = options.Value.Linking.ReplayStoreTimeout;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _linkingEnabled = options.Value.Linking.Domains.Count > 0;
        if (_linkingEnabled)
        {
            logger.LinkReplayStore(_store);
        }
    }

    /// <summary>True when the instances share a store; false when replays are caught per instance.</summary>
    public bool IsShared => _shared is not null;

    /// <summary>
    /// Records the token as used; true the first time, false when it was used before (here or, with
    /// a shared store, on another instance). <paramref name="expires"/> is when the token stops being
    /// accepted anyway, and the entry's absolute expiration.
    /// </summary>
    public async ValueTask<bool> TryUseAsync(string nonce, DateTimeOffset expires)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        Sweep(now);

        // Memory first: exact on this instance (atomic), and what decides when the store cannot.
        if (!_local.TryAdd(nonce, expires.ToUnixTimeSeconds()))
        {
            return false;
        }

        if (_shared is null)
        {
            return true;
        }

        // Not cancelled on timeout: a slow store (the first use opens the connection) still records
        // the token once it answers, so later replays on other instances are refused.
        var claim = ClaimAsync(_shared, KeyPrefix + nonce, expires);
        try
        {
            return await claim.WaitAsync(_timeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // What the store throws after the request went on is observed here, not reported as unobserved.
            _ = claim.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            _metrics.LinkReplayStoreFailed("timeout");
            _logger.LinkReplayStoreTimedOut(_store, _timeout);
            return true;
        }
        catch (Exception ex)
        {
            _metrics.LinkReplayStoreFailed("error");
            _logger.LinkReplayStoreFailed(ex, _store);
            return true;
        }
    }

    /// <summary>
    /// Opens the shared store's connection before the first link arrives: a Redis client connects on
    /// first use, which on a busy instance can take longer than <c>Linking:ReplayStoreTimeout</c>, so
    /// the first link after a start would be checked in memory only. A failure here is only logged.
    /// </summary>
    public async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        if (_shared is null || !_linkingEnabled)
        {
            return;
        }

        try
        {
            await _shared.GetAsync(KeyPrefix + "warm-up", cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _metrics.LinkReplayStoreFailed("error");
            _logger.LinkReplayStoreFailed(ex, _store);
        }
    }

    private static async Task<bool> ClaimAsync(IDistributedCache cache, string key, DateTimeOffset expires)
    {
        if (await cache.GetAsync(key).ConfigureAwait(false) is not null)
        {
            return false;
        }

        var claim = RandomNumberGenerator.GetBytes(16);
        await cache.SetAsync(key, claim, new DistributedCacheEntryOptions { AbsoluteExpiration = expires }).ConfigureAwait(false);

        // The last write wins: an instance that wrote between this one's read and write has
        // replaced the claim, and then it, not this one, adopts the link. Gone (evicted): still ours.
        var holder = await cache.GetAsync(key).ConfigureAwait(false);
        return holder is null || holder.AsSpan().SequenceEqual(claim);
    }

    private void Sweep(long now)
    {
        if (_local.Count < 1024)
        {
            return;
        }

        foreach (var (nonce, expires) in _local)
        {
            if (expires <= now)
            {
                _local.TryRemove(nonce, out _);
            }
        }
    }
}
