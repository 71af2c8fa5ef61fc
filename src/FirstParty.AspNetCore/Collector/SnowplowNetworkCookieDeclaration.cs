using FirstParty.AspNetCore.Consent;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Declares the collector's <c>sp</c> cookie under the Snowplow collector's consent key, so it is in
/// the cookie table, passes the gate only with consent and is deleted on refusal, whether or not
/// the Snowplow provider profile (<c>AddSnowplow()</c>) is on. Declared only while the collector
/// forwards to Snowplow, with its configured name and lifetime.
/// </summary>
internal sealed class SnowplowNetworkCookieDeclaration(IOptions<FirstPartyOptions> options) : IDeclaredService
{
    public string ServiceKey => "snowplow";

    public string ProviderName => "Snowplow";

    public string Category
    {
        get
        {
            var o = options.Value;
            return o.Collector.Snowplow.Consent ?? o.Providers.Snowplow.Category;
        }
    }

    public IEnumerable<CookieDeclaration> Declarations
    {
        get
        {
            var collector = options.Value.Collector;
            if (!collector.Enabled || collector.Snowplow.Upstream is null)
            {
                return [];
            }

            return
            [
                new CookieDeclaration
                {
                    Name = collector.Snowplow.CookieName,
                    Lifetime = collector.Snowplow.CookieLifetime,
                    Purpose = "The analytics network id (Snowplow), set by this site's collector.",
                },
            ];
        }
    }

    public IEnumerable<string> StorageKeys => [];
}
