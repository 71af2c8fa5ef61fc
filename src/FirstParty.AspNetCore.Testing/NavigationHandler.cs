namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// Makes GET requests look like a browser's page loads (<c>Sec-Fetch-Dest: document</c>,
/// <c>Accept: text/html</c>), the only requests on which FirstParty mints or refreshes visitor cookies.
/// </summary>
public sealed class NavigationHandler : DelegatingHandler
{
    /// <inheritdoc />
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == HttpMethod.Get && !request.Headers.Contains("Sec-Fetch-Dest"))
        {
            request.Headers.TryAddWithoutValidation("Sec-Fetch-Dest", "document");
            if (request.Headers.Accept.Count == 0)
            {
                request.Headers.TryAddWithoutValidation("Accept", "text/html,application/xhtml+xml");
            }
        }

        return base.SendAsync(request, cancellationToken);
    }
}
