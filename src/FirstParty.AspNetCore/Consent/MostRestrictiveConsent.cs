using System.Security.Cryptography;
using System.Text;

namespace FirstParty.AspNetCore.Consent;

/// <summary>
/// Combines several valid consent cookies sent by one browser into one record that grants nothing
/// any of them refuses. A cookie from a sibling subdomain, or one set with a longer Path, is sent
/// alongside this browser's own; signatures cannot tell them apart (the planted value may be a
/// genuine decision issued to another browser), so no single one may decide. See docs/consent.md.
/// </summary>
internal static class MostRestrictiveConsent
{
    /// <summary>The fold step for <c>RequestCookieReader.ReadAllValid</c>.</summary>
    public static readonly Func<ConsentRecord, ConsentRecord, (ConsentPolicy Policy, int Revision, long Now), ConsentRecord> Fold
        = static (kept, next, state) => Combine(state.Policy, kept, next, state.Revision, state.Now);

    /// <summary>True when the request carries the cookie more than once.</summary>
    public static bool SentSeveral(Microsoft.Extensions.Primitives.StringValues cookieHeaders, string name)
    {
        var count = 0;
        foreach (var _ in new Cookies.CookieHeaderScanner(cookieHeaders, name))
        {
            if (++count > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The record granting what both grant. A current decision (this revision, not expired) takes its
    /// revision and times from the current ones only, so an outdated copy can narrow a current
    /// decision but never turn it back into "undecided" (which OptOut would read as granted); the
    /// earliest expiry wins. The consent id is kept when both share it, and otherwise replaced by one
    /// derived from both, which neither cookie's holder alone can compute, so a planted id never
    /// becomes the key of this browser's later receipts.
    /// </summary>
    public static ConsentRecord Combine(ConsentPolicy policy, ConsentRecord a, ConsentRecord b, int revision, long now)
    {
        var aCurrent = a.Revision == revision && a.ExpiresAt > now;
        var bCurrent = b.Revision == revision && b.ExpiresAt > now;
        var granted = Intersect(policy, a, b);

        // Times and revision come from the current records when only one is current.
        var (timeA, timeB) = aCurrent == bCurrent ? (a, b) : aCurrent ? (a, a) : (b, b);
        var decidedAt = Math.Min(timeA.DecidedAt, timeB.DecidedAt);
        var expiresAt = Math.Min(timeA.ExpiresAt, timeB.ExpiresAt);
        var recordRevision = Math.Min(timeA.Revision, timeB.Revision);

        // Source, regime and region describe a real decision when the combination is exactly one of them.
        var origin = SameGrants(granted, a.Granted) ? a : SameGrants(granted, b.Granted) ? b : null;
        var source = origin?.Source ?? ConsentSources.Custom;
        var described = origin ?? timeA;
        var id = string.Equals(a.Id, b.Id, StringComparison.Ordinal) ? a.Id : DeriveId(a.Id, b.Id);
        // Made under an opt-out signal only if both were: otherwise a later signal may still refuse sale and sharing.
        return new ConsentRecord(id, recordRevision, decidedAt, expiresAt, source, described.Regime, described.Region, granted,
            a.MadeUnderOptOutSignal && b.MadeUnderOptOutSignal);
    }

    /// <summary>
    /// The listed choices both records grant, by the policy's one rule (<see cref="ConsentPolicy.Grants"/>):
    /// a service is granted by a record that chose it, or through its category. When services are
    /// chosen one by one and none survives, the category goes too: left alone it would grant every service.
    /// </summary>
    internal static List<string> Intersect(ConsentPolicy policy, ConsentRecord a, ConsentRecord b)
    {
        var granted = new List<string>(Math.Min(a.Granted.Count, b.Granted.Count));
        foreach (var key in a.Granted.Concat(b.Granted))
        {
            if (!granted.Contains(key) && policy.Grants(a, key) && policy.Grants(b, key))
            {
                granted.Add(key);
            }
        }

        granted.RemoveAll(key => !key.Contains('/', StringComparison.Ordinal)
            && (a.ListsServicesOf(key) || b.ListsServicesOf(key))
            && !granted.Exists(s => IsServiceOf(s, key)));
        return granted;
    }

    private static bool IsServiceOf(string key, string category)
        => key.Length > category.Length && key[category.Length] == '/' && key.StartsWith(category, StringComparison.Ordinal);

    private static bool SameGrants(List<string> granted, IReadOnlyList<string> other)
        => granted.Count == other.Count && other.All(granted.Contains);

    /// <summary>A UUID v4-shaped id from two ids, the same whichever order they came in.</summary>
    internal static string DeriveId(string a, string b)
    {
        var (first, second) = string.CompareOrdinal(a, b) <= 0 ? (a, b) : (b, a);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.ASCII.GetBytes($"firstparty-consent-combined|{first}|{second}"), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes, bigEndian: true).ToString("D");
    }
}
