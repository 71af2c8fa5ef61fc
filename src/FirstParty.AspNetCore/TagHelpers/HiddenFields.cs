using System.Text.Encodings.Web;

namespace FirstParty.AspNetCore.TagHelpers;

/// <summary>Hidden form fields, encoded with the app's encoder.</summary>
internal static class HiddenFields
{
    public static string Input(string name, string? value, HtmlEncoder encoder)
        => $"<input type=\"hidden\" name=\"{encoder.Encode(name)}\" value=\"{encoder.Encode(value ?? string.Empty)}\" />";
}
