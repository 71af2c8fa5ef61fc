using Bunit;
using FirstParty.AspNetCore.Components;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

namespace FirstParty.AspNetCore.Components.Tests;

/// <summary>Stands in for the core's server side: a fixed request state, and markup that names what was asked for.</summary>
internal sealed class FakeServer : IFirstPartyServer
{
    private readonly List<MarkupRequest> _requests = [];

    public ConsentStateJson? State { get; set; } = Json(decided: false);

    public string? ConsentEndpoint { get; set; } = "/_fp/consent";

    public IReadOnlyList<MarkupRequest> Requests => _requests;

    public static string MarkupFor(MarkupRequest request) => $"<p data-kind=\"{request.Kind}\">{request.Key}</p>";

    public ConsentStateJson? ReadState() => State;

    public Task<string?> RenderAsync(MarkupRequest request)
    {
        _requests.Add(request);
        return Task.FromResult<string?>(request.Kind == MarkupKind.PreferencesUrl ? "/page?fp-preferences=1" : MarkupFor(request));
    }

    public static ConsentStateJson Json(bool decided, string? visitor = null, params string[] granted)
        => new(
            decided,
            decided ? "consent-1" : null,
            3,
            "OptIn",
            "EU",
            false,
            new Dictionary<string, bool>(StringComparer.Ordinal)
            {
                ["necessary"] = true,
                ["analytics"] = granted.Contains("analytics"),
                ["marketing"] = granted.Contains("marketing"),
            },
            new Dictionary<string, bool>(StringComparer.Ordinal) { ["marketing/youtube"] = granted.Contains("marketing/youtube") },
            visitor is null ? null : new VisitorStateJson(visitor, "session-1", 2, true));
}

/// <summary>Shows the cascading values, as an app's component would read them.</summary>
internal sealed class StateProbe : ComponentBase
{
    [CascadingParameter]
    public ConsentState? Consent { get; set; }

    [CascadingParameter]
    public VisitorState? Visitor { get; set; }

    protected override void BuildRenderTree(Microsoft.AspNetCore.Components.Rendering.RenderTreeBuilder builder)
    {
        builder.OpenElement(0, "p");
        builder.AddAttribute(1, "id", "probe");
        builder.AddContent(2, $"decided={Consent?.Decided} analytics={Consent?.IsGranted("analytics")} regime={Consent?.Regime} id={Consent?.ConsentId} visitor={Visitor?.VisitorId ?? "none"}");
        builder.CloseElement();
    }
}

internal static class Contexts
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<BunitContext, Bunit.TestDoubles.BunitPersistentComponentState> States = [];

    /// <summary>The persisted component state of a context created with persistence.</summary>
    public static Bunit.TestDoubles.BunitPersistentComponentState Persisted(this BunitContext context)
        => States.TryGetValue(context, out var state) ? state : throw new InvalidOperationException("Created without persistence.");

    /// <summary>A bUnit context with the components registered; <paramref name="interactive"/> picks the render mode the components see.</summary>
    public static BunitContext Create(bool interactive, FakeServer? server, bool persistence = false)
    {
        var context = new BunitContext();
        if (persistence)
        {
            States.Add(context, context.AddBunitPersistentComponentState());
        }

        if (server is not null)
        {
            context.Services.AddSingleton<IFirstPartyServer>(server);
        }

        context.Services.AddFirstPartyComponents();
        context.SetRendererInfo(new RendererInfo(interactive ? "Server" : "Static", interactive));
        context.JSInterop.Mode = JSRuntimeMode.Loose;
        return context;
    }
}
