using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Html;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>Hidden form fields, encoded.</summary>
internal static class HiddenFields
{
    public static IHtmlContent Input(string name, string? value)
        => new HtmlString($"<input type=\"hidden\" name=\"{HtmlEncoder.Default.Encode(name)}\" value=\"{HtmlEncoder.Default.Encode(value ?? string.Empty)}\" />");
}
