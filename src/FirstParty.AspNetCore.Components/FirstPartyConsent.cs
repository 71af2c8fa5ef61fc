using Microsoft.JSInterop;

namespace FirstParty.AspNetCore.Components;

/// <summary>
/// Decisions from your own interactive components (<c>@inject FirstPartyConsent Consent</c>): each
/// posts to the consent endpoint from the browser (through firstparty.js when it is on the page, so
/// the banner goes and gated scripts run in order), and the answer becomes the cascading
/// <see cref="ConsentState"/> without a reload. Needs an interactive render mode (JavaScript interop).
/// </summary>
public sealed class FirstPartyConsent
{
    private readonly FirstPartyStateStore _store;
    private readonly IJSRuntime _js;

    internal FirstPartyConsent(FirstPartyStateStore store, IJSRuntime js)
    {
        _store = store;
        _js = js;
    }

    /// <summary>The current state (the same instance the components receive).</summary>
    public ConsentState Current => _store.Consent;

    /// <summary>Accepts every category.</summary>
    public Task<ConsentState> AcceptAllAsync() => _store.DecideAsync(_js, "accept-all", []);

    /// <summary>Refuses every optional category.</summary>
    public Task<ConsentState> RejectAllAsync() => _store.DecideAsync(_js, "reject-all", []);

    /// <summary>Grants exactly <paramref name="keys"/> (categories and <c>category/service</c> keys), refusing the rest.</summary>
    public Task<ConsentState> SaveAsync(IEnumerable<string> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return _store.DecideAsync(_js, "custom", keys);
    }

    /// <summary>Withdraws consent: back to refusing everything optional.</summary>
    public Task<ConsentState> WithdrawAsync() => _store.DecideAsync(_js, "withdraw", []);
}
