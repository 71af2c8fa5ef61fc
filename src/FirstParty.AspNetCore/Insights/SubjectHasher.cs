using System.Security.Cryptography;
using System.Text;
using FirstParty.AspNetCore.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Insights;

/// <summary>
/// The keyed hash the staff action log keeps instead of a subject's id: the same id and kind give
/// the same hash under the same key, so staff can answer "what did you do with my request?", but
/// the log alone names no one and an erased id stays erased.
/// </summary>
internal sealed class SubjectHasher
{
    private readonly byte[] _key;

    public SubjectHasher(IOptions<FirstPartyOptions> options, ILogger<SubjectHasher> logger)
    {
        if (options.Value.Ledger.StaffActionKey is { Length: > 0 } key)
        {
            _key = Encoding.UTF8.GetBytes(key);
        }
        else
        {
            _key = RandomNumberGenerator.GetBytes(32);
            logger.StaffActionKeyMissing($"{FirstPartyOptions.SectionName}:Ledger:StaffActionKey");
        }
    }

    public string Hash(ReceiptSubject subject)
    {
        var input = Encoding.UTF8.GetBytes(subject.Kind.ToString() + ":" + subject.Id);
        return Convert.ToHexStringLower(HMACSHA256.HashData(_key, input));
    }
}
