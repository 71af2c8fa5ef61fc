namespace FirstParty.AspNetCore;

/// <summary>
/// The same-origin collector mapped by <c>app.MapFirstPartyCollector()</c>, bound from
/// <c>FirstParty:Collector</c>. It takes the events the analytics SDKs send, checks consent on the
/// server, puts the server's ids in them, and forwards them to each vendor from a durable queue.
/// A vendor is on when its <c>Upstream</c> is set.
/// </summary>
public sealed class CollectorOptions
{
    /// <summary>
    /// The name of the <see cref="System.Net.Http.IHttpClientFactory"/> client the collector sends with,
    /// <c>FirstParty.Collector</c>: configure it with <c>services.AddHttpClient(CollectorOptions.HttpClientName)</c>
    /// to add handlers (a proxy, resilience, tests' fakes).
    /// </summary>
    public const string HttpClientName = "FirstParty.Collector";

    /// <summary>Whether the collector's endpoints answer and the snippets point at them. Default false.</summary>
    public bool Enabled { get; set; }

    /// <summary>Where the endpoints live. Default <c>/_fp/c</c>.</summary>
    public string PathPrefix { get; set; } = "/_fp/c";

    /// <summary>The largest request body a vendor's endpoint reads, unless the vendor sets its own. Default 64 KB.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Events waiting in memory per vendor before new ones go to the spill file. Default 50 000.</summary>
    public int QueueCapacity { get; set; } = 50_000;

    /// <summary>Events sent to an upstream together (when its API takes batches). Default 500.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>
    /// How long a vendor's queue lets events gather, from the first one, before they are sent, so that
    /// hits arriving close together go upstream in one request and the sending does not compete with
    /// each hit for the CPU; a few milliseconds is enough. Default zero: each hit is sent as soon as it
    /// is queued (a test host on a fake clock would otherwise have to move the clock). At most 1 second.
    /// </summary>
    public TimeSpan BatchDelay { get; set; }

    /// <summary>The first wait before retrying a failed delivery; it doubles up to <see cref="MaxRetryDelay"/>. Default 500 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between retries. Default 30 seconds.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one upstream request may take before it counts as failed (and is retried). Default 10 seconds.</summary>
    public TimeSpan UpstreamTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Where events that an upstream cannot take yet are kept on disk (one subfolder per vendor),
    /// relative to the content root unless rooted. Default <c>App_Data/FirstParty/collector</c>.
    /// </summary>
    public string SpillDirectory { get; set; } = "App_Data/FirstParty/collector";

    /// <summary>Snowplow: the tracker's <c>tp2</c> posts, <c>i</c> pixels and the cookie extension service.</summary>
    public SnowplowCollectorOptions Snowplow { get; set; } = new();

    /// <summary>Amplitude: the analytics-browser SDK's <c>serverUrl</c> (HTTP V2 and Batch APIs).</summary>
    public AmplitudeCollectorOptions Amplitude { get; set; } = new();

    /// <summary>Google Analytics 4: gtag's <c>transport_url</c> (<c>/g/collect</c>).</summary>
    public GoogleAnalyticsCollectorOptions GoogleAnalytics { get; set; } = new();

    /// <summary>Plausible: the script's <c>data-api</c> (<c>/api/event</c>).</summary>
    public PlausibleCollectorOptions Plausible { get; set; } = new();
}

/// <summary>What every vendor of the collector is configured with.</summary>
public abstract class CollectorVendorOptions
{
    /// <summary>
    /// The vendor's collector, an absolute http(s) URL (for example <c>https://collector.example.com</c>
    /// or <c>https://api2.amplitude.com</c>); the endpoint's path is appended. Null turns this vendor off.
    /// </summary>
    public Uri? Upstream { get; set; }

    /// <summary>
    /// The consent category or service whose grant allows forwarding. Null: the category of the
    /// vendor's provider options (<c>FirstParty:Providers:{Vendor}:Category</c>, <c>analytics</c> by default).
    /// </summary>
    public string? Consent { get; set; }

    /// <summary>What the vendor learns of the visitor's IP address. The default depends on the vendor (see its options).</summary>
    public IpForwarding IpForwarding { get; set; }

    /// <summary>What the vendor learns of the visitor's browser. Default <see cref="UserAgentForwarding.Full"/>.</summary>
    public UserAgentForwarding UserAgent { get; set; } = UserAgentForwarding.Full;

    /// <summary>The largest request body this vendor's endpoints read. Null: <see cref="CollectorOptions.MaxBodyBytes"/>.</summary>
    public int? MaxBodyBytes { get; set; }
}

/// <summary>The Snowplow collector, bound from <c>FirstParty:Collector:Snowplow</c>.</summary>
public sealed class SnowplowCollectorOptions : CollectorVendorOptions
{
    /// <summary>Creates the options with Snowplow's defaults: the network of the IP address (<see cref="IpForwarding.Anonymized"/>).</summary>
    public SnowplowCollectorOptions() => IpForwarding = IpForwarding.Anonymized;

    /// <summary>The network user id cookie, as Snowplow's collector names it. Default <c>sp</c>.</summary>
    public string CookieName { get; set; } = "sp";

    /// <summary>How long the network user id cookie lives; browsers cap it at 400 days. Default 365 days, as the collector.</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromDays(365);
}

/// <summary>Amplitude's HTTP API, bound from <c>FirstParty:Collector:Amplitude</c>.</summary>
public sealed class AmplitudeCollectorOptions : CollectorVendorOptions
{
    /// <summary>Creates the options with Amplitude's default: no IP address (<see cref="IpForwarding.None"/>; Amplitude then derives no location).</summary>
    public AmplitudeCollectorOptions() => IpForwarding = IpForwarding.None;
}

/// <summary>Google Analytics 4's collection endpoint, bound from <c>FirstParty:Collector:GoogleAnalytics</c>.</summary>
public sealed class GoogleAnalyticsCollectorOptions : CollectorVendorOptions
{
    /// <summary>Creates the options with GA4's default: the network of the IP address (<see cref="IpForwarding.Anonymized"/>), for country-level reports.</summary>
    public GoogleAnalyticsCollectorOptions() => IpForwarding = IpForwarding.Anonymized;
}

/// <summary>Plausible's Events API, bound from <c>FirstParty:Collector:Plausible</c>.</summary>
public sealed class PlausibleCollectorOptions : CollectorVendorOptions
{
    /// <summary>
    /// Creates the options with Plausible's default: the full IP address (<see cref="IpForwarding.Full"/>).
    /// Plausible counts unique visitors from a daily-salted hash of IP and user agent and keeps
    /// neither; it silently drops events that come from a server's address, so it needs the visitor's.
    /// </summary>
    public PlausibleCollectorOptions() => IpForwarding = IpForwarding.Full;
}
