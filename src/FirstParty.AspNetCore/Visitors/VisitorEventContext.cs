using Microsoft.AspNetCore.Http;

namespace FirstParty.AspNetCore;

/// <summary>The arguments of <see cref="FirstPartyEvents.OnNewVisitor"/> and <see cref="FirstPartyEvents.OnNewSession"/>.</summary>
public sealed class VisitorEventContext
{
    internal VisitorEventContext(HttpContext httpContext, IVisitorFeature visitor)
    {
        HttpContext = httpContext;
        Visitor = visitor;
    }

    /// <summary>The current request.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The visitor as it will be stored.</summary>
    public IVisitorFeature Visitor { get; }
}
