using System.Globalization;
using System.Text.Json;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// The properties of an event made on the server as the vendors take them: strings, numbers and
/// booleans as such, anything else as its invariant string.
/// </summary>
internal static class TrackedEventProperties
{
    public static void Write(Utf8JsonWriter writer, string name, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNull(name);
                break;
            case string s:
                writer.WriteString(name, s);
                break;
            case bool b:
                writer.WriteBoolean(name, b);
                break;
            case int or long or short or byte or sbyte or ushort or uint:
                writer.WriteNumber(name, Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumber(name, u);
                break;
            case decimal m:
                writer.WriteNumber(name, m);
                break;
            case double or float when Convert.ToDouble(value, CultureInfo.InvariantCulture) is var d && double.IsFinite(d):
                writer.WriteNumber(name, d);
                break;
            default:
                writer.WriteString(name, Text(value));
                break;
        }
    }

    /// <summary>Whether the value is a number (GA4's <c>epn.</c> rather than <c>ep.</c>).</summary>
    public static bool IsNumber(object? value)
        => value is int or long or short or byte or sbyte or ushort or uint or ulong or decimal
            || (value is double or float && double.IsFinite(Convert.ToDouble(value, CultureInfo.InvariantCulture)));

    /// <summary>The value as text: numbers in invariant form, booleans as <c>true</c>/<c>false</c>.</summary>
    public static string Text(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
