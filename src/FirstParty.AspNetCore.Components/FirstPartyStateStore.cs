using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// The state of one page request (static SSR, prerendering) or one interactive session (a circuit, a
/// WebAssembly app): the cascading <see cref="ConsentState"/> and <see cref="VisitorState"/>, and the
/// markup the components rendered. Filled from the request on the server, carried to the interactive
/// side in the page's persisted component state, updated there when the visitor decides.
/// </summary>
internal sealed class FirstPartyStateStore : IAsyncDisposable, IDisposable
{
    internal const string ModulePath = "./_content/FirstParty.AspNetCore.Components/firstparty-components.js";

    private readonly IFirstPartyServer? _server;
    private readonly PersistentComponentState? _persisted;
    private readonly IJSRuntime? _js;
    private readonly PersistingComponentStateSubscription? _persisting;
    private readonly SemaphoreSlim _listening = new(1, 1);
    private Dictionary<string, string> _markup = [];
    private ConsentStateJson? _state;
    private ConsentState _consent = ConsentState.None;
    private VisitorState? _visitor;
    private string? _endpoint;
    private IJSObjectReference? _module;
    private IJSObjectReference? _listener;
    private DotNetObjectReference<FirstPartyStateStore>? _self;

    public FirstPartyStateStore(IServiceProvider services)
    {
        _server = services.GetService<IFirstPartyServer>();
        _persisted = services.GetService<PersistentComponentState>();
        _js = services.GetService<IJSRuntime>();

        // Read on first use, not here: the renderer creates the cascading values when it is created,
        // and an interactive session restores the persisted state only after that.
        ConsentSource = new CascadingValueSource<ConsentState>(() => Consent, isFixed: false);
        VisitorSource = new CascadingValueSource<VisitorState>(() => Visitor!, isFixed: false);

        // InteractiveAuto: both the Server and the WebAssembly stores take it, so whichever mode the
        // page's interactive components run in finds the same state.
        _persisting = _persisted?.RegisterOnPersisting(
            () =>
            {
                EnsureRead();
                _persisted.PersistAsJson(FirstPartySnapshot.PersistenceKey, new FirstPartySnapshot(_state!, _endpoint, _markup).ToJson());
                return Task.CompletedTask;
            },
            RenderMode.InteractiveAuto);
    }

    public ConsentState Consent
    {
        get
        {
            EnsureRead();
            return _consent;
        }
    }

    public VisitorState? Visitor
    {
        get
        {
            EnsureRead();
            return _visitor;
        }
    }

    /// <summary>The consent endpoint's URL, for decisions made from .NET code.</summary>
    public string? Endpoint
    {
        get
        {
            EnsureRead();
            return _endpoint;
        }
    }

    public CascadingValueSource<ConsentState> ConsentSource { get; }

    public CascadingValueSource<VisitorState> VisitorSource { get; }

    private void EnsureRead()
    {
        if (_state is not null)
        {
            return;
        }

        FirstPartySnapshot? snapshot = null;
        if (_persisted is not null && _persisted.TryTakeFromJson<string>(FirstPartySnapshot.PersistenceKey, out var json) && json is not null)
        {
            snapshot = FirstPartySnapshot.FromJson(json);
        }

        // The persisted copy is what the page was rendered with; the server is asked only when the
        // page carried none (a static render, or prerendering itself).
        var state = snapshot?.Consent ?? _server?.ReadState() ?? ConsentStateJson.From(ConsentState.None, null);
        _endpoint = snapshot?.Endpoint ?? _server?.ConsentEndpoint;
        _markup = snapshot?.Markup ?? new Dictionary<string, string>(StringComparer.Ordinal);
        Set(state, keepVisitor: false);

        // Without a server side this is a WebAssembly app, which outlives the page it started on: a
        // decision made on a static page (the banner) would never reach it unless it follows the page's
        // decisions from the start, not only once a component of ours asks.
        if (_server is null && _js is not null)
        {
            _ = ListenAsync(_js);
        }
    }

    private void Set(ConsentStateJson state, bool keepVisitor)
    {
        _state = state;
        _consent = state.ToConsent();
        _visitor = keepVisitor ? _visitor : state.ToVisitor();
    }

    /// <summary>
    /// The markup for <paramref name="request"/>: from the server while rendering a page request (and
    /// kept for the interactive side when <paramref name="becomesInteractive"/>), else the copy the
    /// page was rendered with.
    /// </summary>
    /// <param name="request">What to render.</param>
    /// <param name="interactive">Whether the asking component runs interactively now.</param>
    /// <param name="becomesInteractive">
    /// Whether it is being prerendered for an interactive render mode. Markup asked for by static
    /// components stays out of the persisted state: every page would otherwise carry the banner, the
    /// privacy centre and the cookie table a second and third time, base64-encoded, in its
    /// Server and WebAssembly state comments.
    /// </param>
    public async Task<string?> GetMarkupAsync(MarkupRequest request, bool interactive, bool becomesInteractive = true)
    {
        EnsureRead();
        var key = request.Key;
        if (!interactive && _server is not null && await _server.RenderAsync(request).ConfigureAwait(true) is { } rendered)
        {
            if (becomesInteractive)
            {
                _markup[key] = rendered;
            }

            return rendered;
        }

        return _markup.GetValueOrDefault(key);
    }

    /// <summary>A new state from the consent endpoint's JSON answer; a partial one (the script's own state) keeps what it lacks.</summary>
    public Task ApplyAsync(ConsentStateJson state, bool partial = false)
    {
        EnsureRead();
        if (partial)
        {
            state = _state! with { Decided = state.Decided, Categories = state.Categories ?? _state.Categories, Services = state.Services ?? _state.Services };
        }

        Set(state, keepVisitor: partial);
        return Task.WhenAll(ConsentSource.NotifyChangedAsync(_consent), VisitorSource.NotifyChangedAsync(_visitor!));
    }

    /// <summary>Follows decisions made on the page (the banner's forms, firstparty.js's API, enhanced updates), once per session.</summary>
    public async Task ListenAsync(IJSRuntime js)
    {
        await _listening.WaitAsync().ConfigureAwait(true);
        try
        {
            if (_listener is not null)
            {
                return;
            }

            _module ??= await js.InvokeAsync<IJSObjectReference>("import", ModulePath).ConfigureAwait(true);
            _self ??= DotNetObjectReference.Create(this);
            _listener = await _module.InvokeAsync<IJSObjectReference>("listen", _self).ConfigureAwait(true);
        }
        finally
        {
            _listening.Release();
        }
    }

    /// <summary>Posts a choice to the consent endpoint from the browser and applies the answer.</summary>
    public async Task<ConsentState> DecideAsync(IJSRuntime js, string choice, IEnumerable<string> keys)
    {
        _module ??= await js.InvokeAsync<IJSObjectReference>("import", ModulePath).ConfigureAwait(true);
        var json = await _module.InvokeAsync<string>("decide", Endpoint, choice, keys.ToArray()).ConfigureAwait(true);
        if (ConsentStateJson.FromJson(json) is { } state)
        {
            await ApplyAsync(state).ConfigureAwait(true);
        }

        return Consent;
    }

    /// <summary>Called by the module with the state after a change (<c>partial</c>: the script's own, after an enhanced update).</summary>
    [JSInvokable]
    public Task OnChanged(string json, bool partial)
        => ConsentStateJson.FromJson(json) is { } state ? ApplyAsync(state, partial) : Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_listener is not null)
            {
                await _listener.InvokeVoidAsync("dispose").ConfigureAwait(false);
                await _listener.DisposeAsync().ConfigureAwait(false);
            }

            if (_module is not null)
            {
                await _module.DisposeAsync().ConfigureAwait(false);
            }
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone and the page with it: nothing left to unsubscribe.
        }

        Dispose();
    }

    /// <summary>A container disposed synchronously cannot reach the browser: the JavaScript side goes with the page.</summary>
    public void Dispose()
    {
        _persisting?.Dispose();
        _self?.Dispose();
        _listening.Dispose();
    }
}
