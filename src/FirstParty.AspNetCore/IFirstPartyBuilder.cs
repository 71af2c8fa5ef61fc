using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore;

/// <summary>
/// Returned by <c>AddFirstParty</c> so that features such as a consent ledger or provider profiles
/// can be added with extension methods.
/// </summary>
public interface IFirstPartyBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}

internal sealed class FirstPartyBuilder(IServiceCollection services) : IFirstPartyBuilder
{
    public IServiceCollection Services { get; } = services;
}
