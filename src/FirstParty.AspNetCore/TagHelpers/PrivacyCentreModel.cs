namespace FirstParty.AspNetCore;

/// <summary>The model of the <c>FirstParty/_PrivacyCentre</c> view rendered by <c>&lt;privacy-centre /&gt;</c>.</summary>
public sealed class PrivacyCentreModel
{
    internal PrivacyCentreModel(ConsentFormModel preferences, IVisitorFeature? visitor, string forgetAction, string historyUrl)
    {
        HistoryUrl = historyUrl;
        Preferences = preferences;
        Visitor = visitor;
        ForgetAction = forgetAction;
    }

    /// <summary>The preferences form, pre-filled with the current choices.</summary>
    public ConsentFormModel Preferences { get; }

    /// <summary>The visitor, or null when no visitor cookie is allowed or stored.</summary>
    public IVisitorFeature? Visitor { get; }

    /// <summary>The endpoint that forgets this browser (<c>POST /_fp/forget</c>).</summary>
    public string ForgetAction { get; }

    /// <summary>This browser's consent history as a JSON download (<c>GET /_fp/consent/receipts?download</c>).</summary>
    public string HistoryUrl { get; }
}
