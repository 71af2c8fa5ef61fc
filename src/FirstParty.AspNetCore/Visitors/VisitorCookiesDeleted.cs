namespace FirstParty.AspNetCore.Visitors;

/// <summary>
/// The request feature that says this response already deletes the visitor cookies (a refusal, a
/// forget), so the response step does not delete them twice. One shared instance: it carries no data.
/// </summary>
internal sealed class VisitorCookiesDeleted
{
    public static readonly VisitorCookiesDeleted Instance = new();

    private VisitorCookiesDeleted()
    {
    }
}
