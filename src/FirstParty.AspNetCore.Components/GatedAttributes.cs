using System.Globalization;

namespace FirstParty.AspNetCore.Components;

/// <summary>The attributes of a gated element, in the order written; a null value is a bare attribute (<c>async</c>).</summary>
internal static class GatedAttributes
{
    public static List<KeyValuePair<string, string?>> Build(IEnumerable<KeyValuePair<string, string?>> named, IReadOnlyDictionary<string, object>? additional)
    {
        var attributes = named.Where(a => a.Value is not null || a.Key.Length > 0).ToList();
        foreach (var (name, value) in additional ?? new Dictionary<string, object>())
        {
            switch (value)
            {
                case false or null:
                    continue;
                case true:
                    attributes.Add(new(name, null));
                    break;
                default:
                    attributes.Add(new(name, Convert.ToString(value, CultureInfo.InvariantCulture)));
                    break;
            }
        }

        return attributes;
    }

    public static IEnumerable<KeyValuePair<string, string?>> Optional(string name, string? value)
        => value is null ? [] : [new(name, value)];

    public static IEnumerable<KeyValuePair<string, string?>> Flag(string name, bool on)
        => on ? [new(name, null)] : [];
}
