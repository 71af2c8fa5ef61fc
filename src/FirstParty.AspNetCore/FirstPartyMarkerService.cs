namespace FirstParty.AspNetCore;

/// <summary>Lets <c>UseFirstParty</c> check that <c>AddFirstParty</c> was called.</summary>
internal sealed class FirstPartyMarkerService
{
}
