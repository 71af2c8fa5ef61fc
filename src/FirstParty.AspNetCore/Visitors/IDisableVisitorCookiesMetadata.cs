namespace FirstParty.AspNetCore;

/// <summary>
/// Endpoint metadata that stops FirstParty from minting or refreshing visitor and session cookies on
/// that endpoint's responses. An existing visitor is still read and exposed.
/// </summary>
public interface IDisableVisitorCookiesMetadata
{
}
