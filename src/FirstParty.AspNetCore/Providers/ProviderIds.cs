namespace FirstParty.AspNetCore;

/// <summary>
/// The ids each enabled SDK uses for this visitor, for server-side events (Snowplow's domain user
/// id, Amplitude's device id, GA4's client id). A value comes from the SDK's cookie when the request
/// has a valid one (it may predate the server's id), else it is the id the server writes. Null
/// when the profile is not enabled, there is no visitor, or consent does not allow the provider.
/// </summary>
/// <param name="SnowplowDomainUserId">Snowplow's <c>domain_userid</c>.</param>
/// <param name="AmplitudeDeviceId">Amplitude's <c>device_id</c>.</param>
/// <param name="GoogleAnalyticsClientId">GA4's <c>client_id</c> (<c>{rand}.{seconds}</c>).</param>
public sealed record ProviderIds(string? SnowplowDomainUserId, string? AmplitudeDeviceId, string? GoogleAnalyticsClientId);
