namespace FirstParty.AspNetCore;

/// <summary>
/// Marks a controller, action, Razor page or endpoint whose responses never mint or refresh the
/// visitor and session cookies (for example health checks or feeds).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class DisableVisitorCookiesAttribute : Attribute, IDisableVisitorCookiesMetadata
{
}
