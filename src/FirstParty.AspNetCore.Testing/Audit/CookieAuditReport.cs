using System.Text.Json;
using System.Text.Json.Serialization;

namespace FirstParty.AspNetCore.Testing;

/// <summary>
/// What a cookie audit saw: for each consent state, each page and the cookies and storage the browser
/// held after it. Assert on it (<see cref="CookieAuditAssertions"/>) and commit it as JSON or Markdown.
/// </summary>
public sealed class CookieAuditReport
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>How the pages were visited: <c>http</c> (Set-Cookie headers only) or <c>browser</c> (scripts ran).</summary>
    public required string Mode { get; init; }

    /// <summary>The states, in the order audited.</summary>
    public required IReadOnlyList<AuditedState> States { get; init; }

    /// <summary>The report as indented JSON (camelCase, lifetimes as <c>d.hh:mm:ss</c>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>
    /// The report as Markdown: per state, the pages' checks and one row per cookie or key with its
    /// attributes, its declaration and the pages it was held on.
    /// </summary>
    public string ToMarkdown() => CookieAuditMarkdown.Write(this);
}
