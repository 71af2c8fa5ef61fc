using FirstParty.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Per-endpoint FirstParty conventions.</summary>
public static class VisitorEndpointConventionBuilderExtensions
{
    private static readonly DisableVisitorCookiesAttribute Metadata = new();

    /// <summary>
    /// Responses of these endpoints never mint or refresh the visitor and session cookies, as with
    /// <see cref="DisableVisitorCookiesAttribute"/>.
    /// </summary>
    public static TBuilder DisableVisitorCookies<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Add(static endpoint => endpoint.Metadata.Add(Metadata));
        return builder;
    }
}
