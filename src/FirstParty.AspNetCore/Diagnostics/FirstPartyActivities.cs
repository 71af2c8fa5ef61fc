using System.Diagnostics;

namespace FirstParty.AspNetCore.Diagnostics;

/// <summary>
/// Traces of the work worth following across a farm: consent decisions and the ledger's writes to
/// its store. Names follow OpenTelemetry's conventions (lowercase, dot-separated, tags namespaced),
/// so <c>tracing.AddSource("FirstParty.AspNetCore")</c> is all an app needs.
/// </summary>
internal static class FirstPartyActivities
{
    public const string SourceName = "FirstParty.AspNetCore";

    public const string Decision = "firstparty.consent.decision";

    public const string LedgerWrite = "firstparty.ledger.write";

    /// <summary>One request of the collector to a vendor's API.</summary>
    public const string CollectorForward = "firstparty.collector.forward";

    public static readonly ActivitySource Source = new(SourceName, typeof(FirstPartyActivities).Assembly.GetName().Version?.ToString());

    /// <summary>Marks an activity failed the OpenTelemetry way: error status and the exception's type.</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null)
        {
            return;
        }

        activity.SetStatus(ActivityStatusCode.Error, exception.Message);
        activity.SetTag("error.type", exception.GetType().FullName);
    }
}
