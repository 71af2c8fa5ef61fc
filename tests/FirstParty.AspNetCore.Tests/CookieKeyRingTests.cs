using FirstParty.AspNetCore.Cookies;
using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Time.Testing;

namespace FirstParty.AspNetCore.Tests;

public sealed class CookieKeyRingTests
{
    /// <summary>
    /// Data Protection stamps keys with the real clock; a fake clock that starts a little after the
    /// real one sees freshly created keys as active and can then be moved past the refresh intervals.
    /// </summary>
    private static FakeTimeProvider RealTimeClock() => new(DateTimeOffset.UtcNow.AddMinutes(1));

    [Fact]
    public void None_never_signs()
    {
        Assert.Null(CookieKeyRing.None.Current);
        Assert.Null(CookieKeyRing.None.Find("00000000"));
    }

    [Fact]
    public void A_ring_without_a_key_manager_never_signs()
    {
        using var keys = new TestKeyRing();
        var ring = new CookieKeyRing(null, keys.Provider, keys.ApplicationName, TimeProvider.System);
        Assert.Null(ring.Current);
        Assert.Null(ring.Find("00000000"));
    }

    /// <summary>
    /// Regression (src/FirstParty.AspNetCore/Cookies/CookieKeyRing.cs, Load): in an empty key ring, Load takes
    /// <c>now</c>, then creates the first key with the bootstrap Protect call; that key's activation
    /// date is a little later than <c>now</c>, so IsActive rejects it and the snapshot has no Current
    /// key. Cookies then fall back to format 1 until the next reload five minutes later.
    /// </summary>
    [Fact]
    public void The_first_use_creates_a_key_in_an_empty_key_ring_and_signs_with_it()
    {
        using var keys = new TestKeyRing(createKey: false);
        Assert.Empty(keys.KeyManager.GetAllKeys());
        var ring = keys.CreateKeyRing();

        var current = ring.Current;

        var key = Assert.Single(keys.KeyManager.GetAllKeys());
        Assert.NotNull(current);
        Assert.Equal(key.KeyId.ToString("N")[..CookieKeyRing.IdLength], current.Id);
    }

    [Fact]
    public void The_current_key_is_the_active_data_protection_key()
    {
        using var keys = new TestKeyRing();

        var current = Assert.IsType<CookieKeyRing.Entry>(keys.CreateKeyRing().Current);

        var key = Assert.Single(keys.KeyManager.GetAllKeys());
        Assert.Equal(key.KeyId.ToString("N")[..CookieKeyRing.IdLength], current.Id);
        Assert.Matches("^[0-9a-f]{8}$", current.Id);
        Assert.Equal(32, current.Secret.Length);
    }

    [Fact]
    public void Find_returns_the_current_secret_by_id_and_null_for_unknown_ids()
    {
        using var keys = new TestKeyRing();
        var ring = keys.CreateKeyRing();
        var current = ring.Current!;

        var found = Assert.IsType<CookieKeyRing.Entry>(ring.Find(current.Id));
        Assert.Equal(current.Secret, found.Secret);
        // Ids are lowercase hex; about one in forty has no letter, and then has no other case to try.
        if (current.Id.Any(char.IsAsciiLetter))
        {
            Assert.Null(ring.Find(current.Id.ToUpperInvariant()));
        }

        Assert.Null(ring.Find(current.Id.Remove(current.Id.Length - 1)));
        Assert.Null(ring.Find("zzzzzzzz"));
        Assert.Null(ring.Find(string.Empty));
    }

    [Fact]
    public void Rings_over_the_same_key_repository_derive_the_same_secrets()
    {
        var shared = new InMemoryXmlRepository();
        using var nodeA = new TestKeyRing(shared);
        using var nodeB = new TestKeyRing(shared);

        var a = nodeA.CreateKeyRing().Current!;
        var b = nodeB.CreateKeyRing().Current!;

        Assert.Equal(a.Id, b.Id);
        Assert.Equal(a.Secret, b.Secret);
    }

    [Fact]
    public void Rings_over_different_key_repositories_have_different_secrets()
    {
        using var nodeA = new TestKeyRing();
        using var nodeB = new TestKeyRing();

        var a = nodeA.CreateKeyRing().Current!;
        var b = nodeB.CreateKeyRing().Current!;

        Assert.NotEqual(a.Id, b.Id);
        Assert.NotEqual(a.Secret, b.Secret);
        Assert.Null(nodeB.CreateKeyRing().Find(a.Id));
    }

    [Fact]
    public void A_key_added_by_another_instance_is_found_after_the_unknown_key_delay()
    {
        var shared = new InMemoryXmlRepository();
        using var nodeA = new TestKeyRing(shared);
        using var nodeB = new TestKeyRing(shared);
        var clock = RealTimeClock();
        var ringA = nodeA.CreateKeyRing(clock);
        Assert.NotNull(ringA.Current);

        // Node B adds a key that is active at once; node A has not loaded it yet.
        var now = DateTimeOffset.UtcNow;
        var added = nodeB.KeyManager.CreateNewKey(now, now.AddDays(90));
        var addedId = added.KeyId.ToString("N")[..CookieKeyRing.IdLength];

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Null(ringA.Find(addedId)); // an unknown id reloads at most every 30 seconds

        clock.Advance(TimeSpan.FromSeconds(25));
        Assert.NotNull(ringA.Find(addedId));
    }

    [Fact]
    public void A_revoked_key_stops_verifying_after_the_refresh_interval()
    {
        using var keys = new TestKeyRing();
        var clock = RealTimeClock();
        var ring = keys.CreateKeyRing(clock);
        var original = ring.Current!;

        var key = Assert.Single(keys.KeyManager.GetAllKeys());
        keys.KeyManager.RevokeKey(key.KeyId, "compromised");

        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.Null(ring.Find(original.Id));
        var replacement = Assert.IsType<CookieKeyRing.Entry>(ring.Current);
        Assert.NotEqual(original.Id, replacement.Id);
    }

    [Fact]
    public void The_most_recently_activated_key_signs()
    {
        using var keys = new TestKeyRing();
        var clock = RealTimeClock();
        var ring = keys.CreateKeyRing(clock);
        var first = ring.Current!;

        var now = DateTimeOffset.UtcNow;
        var newer = keys.KeyManager.CreateNewKey(now, now.AddDays(90));
        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(newer.KeyId.ToString("N")[..CookieKeyRing.IdLength], ring.Current!.Id);
        Assert.NotNull(ring.Find(first.Id)); // older keys still verify
    }

    [Fact]
    public void A_key_activated_in_the_future_does_not_sign_yet()
    {
        using var keys = new TestKeyRing();
        var clock = RealTimeClock();
        var ring = keys.CreateKeyRing(clock);
        var first = ring.Current!;

        var now = DateTimeOffset.UtcNow;
        var future = keys.KeyManager.CreateNewKey(now.AddDays(2), now.AddDays(92));
        var futureId = future.KeyId.ToString("N")[..CookieKeyRing.IdLength];
        clock.Advance(TimeSpan.FromMinutes(6));

        Assert.Equal(first.Id, ring.Current!.Id);
        Assert.NotNull(ring.Find(futureId)); // but other instances may already use it: it verifies

        clock.Advance(TimeSpan.FromDays(2));
        Assert.Equal(futureId, ring.Current!.Id);
    }

    /// <summary>
    /// Regression (src/FirstParty.AspNetCore/Cookies/CookieKeyRing.cs, GetSnapshot/Load): when the key
    /// repository fails on a periodic reload (a database or Redis outage), the exception escapes
    /// Current and Find, so every request carrying a cookie fails and retries the repository. Data
    /// Protection itself keeps using its cached key ring in that situation; the cookie key ring
    /// should keep its last snapshot.
    /// </summary>
    [Fact]
    public void A_repository_outage_after_the_first_load_keeps_the_last_known_keys()
    {
        var repository = new FlakyXmlRepository();
        using var keys = new TestKeyRing(repository);
        Assert.NotEmpty(keys.KeyManager.GetAllKeys());
        var clock = RealTimeClock();
        var ring = keys.CreateKeyRing(clock);
        var current = ring.Current!;

        repository.Failing = true;
        clock.Advance(TimeSpan.FromMinutes(6));

        var exception = Record.Exception(() => Assert.Equal(current.Id, ring.Find(current.Id)?.Id));
        Assert.Null(exception);
        Assert.Equal(current.Id, ring.Current?.Id);
    }

    /// <summary>
    /// Regression (src/FirstParty.AspNetCore/Cookies/CookieKeyRing.cs, GetSnapshot): after a failed load
    /// the ring is meant to "try again at the next interval rather than on every request", but when the
    /// very first load fails the snapshot stays null, so every Current/Find call goes back to the key
    /// store (and to Data Protection's bootstrap Protect) while it is down.
    /// </summary>
    [Fact]
    public void A_key_store_that_is_down_at_first_use_is_not_retried_on_every_call()
    {
        var repository = new FlakyXmlRepository();
        using var keys = new TestKeyRing(repository, createKey: false);
        var ring = keys.CreateKeyRing(RealTimeClock());
        repository.Failing = true;

        Assert.Null(ring.Current);
        var calls = repository.Calls;
        Assert.True(calls > 0);

        Assert.Null(ring.Current);
        Assert.Null(ring.Find("abcdef01"));
        Assert.Equal(calls, repository.Calls);
    }

    internal sealed class FlakyXmlRepository : Microsoft.AspNetCore.DataProtection.Repositories.IXmlRepository
    {
        private readonly InMemoryXmlRepository _inner = new();

        private int _calls;

        public bool Failing { get; set; }

        public int Calls => Volatile.Read(ref _calls);

        public IReadOnlyCollection<System.Xml.Linq.XElement> GetAllElements()
        {
            Interlocked.Increment(ref _calls);
            return Failing ? throw new IOException("The key store is unreachable.") : _inner.GetAllElements();
        }

        public void StoreElement(System.Xml.Linq.XElement element, string friendlyName)
        {
            if (Failing)
            {
                throw new IOException("The key store is unreachable.");
            }

            _inner.StoreElement(element, friendlyName);
        }
    }
}
