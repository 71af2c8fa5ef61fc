using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FirstParty.AspNetCore.Internal;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// A server-side event (<see cref="TrackedEvent"/>) in Snowplow's tracker protocol: a page view
/// (<c>e=pv</c>) for <see cref="TrackedEvent.PageViewName"/>, else a structured event (<c>e=se</c>)
/// with category <c>server</c> and the event's name as its action. Properties become the label
/// (<c>se_la</c>, the property's name in <c>se_pr</c>) and value (<c>se_va</c>) when there is at most
/// one number and one other value, else the label holds them all as a JSON object.
/// </summary>
internal static class SnowplowServerEvent
{
    /// <summary>The structured events' category: they come from this site's server, not a page.</summary>
    public const string Category = "server";

    /// <summary>The tracker version Snowplow records (<c>v_tracker</c>).</summary>
    public static readonly string TrackerVersion = "firstparty-dotnet-" + (typeof(SnowplowServerEvent).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");

    public static List<KeyValuePair<string, string>> Fields(TrackedEvent trackedEvent, CollectorVisitor visitor, string? appId, DateTimeOffset now, out string eventId)
    {
        eventId = RandomIds.NewUuid();
        var millis = now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var fields = new List<KeyValuePair<string, string>>(20);
        if (trackedEvent.Name == TrackedEvent.PageViewName)
        {
            Add(fields, "e", "pv");
        }
        else
        {
            Add(fields, "e", "se");
            Add(fields, "se_ca", Category);
            Add(fields, "se_ac", trackedEvent.Name);
            AddProperties(fields, trackedEvent.Properties);
        }

        Add(fields, "url", trackedEvent.Url);
        if (trackedEvent.Name == TrackedEvent.PageViewName)
        {
            Add(fields, "page", trackedEvent.Title);
        }

        Add(fields, "refr", trackedEvent.Referrer);
        Add(fields, "eid", eventId);
        Add(fields, "dtm", millis);
        Add(fields, "stm", millis);
        Add(fields, "tv", TrackerVersion);
        Add(fields, "p", "srv");
        Add(fields, "aid", appId);
        Add(fields, "duid", visitor.Ids.SnowplowDomainUserId ?? visitor.VisitorId);
        Add(fields, "sid", visitor.SessionId is { } sid && SnowplowPayload.IsUuid(sid) ? sid : null);
        Add(fields, "vid", visitor.SessionIndex > 0 ? visitor.SessionIndex.ToString(CultureInfo.InvariantCulture) : null);
        Add(fields, "uid", visitor.UserId);
        return fields;
    }

    /// <summary>The tracker omits empty values; so does the server.</summary>
    private static void Add(List<KeyValuePair<string, string>> fields, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            fields.Add(new(name, value));
        }
    }

    private static void AddProperties(List<KeyValuePair<string, string>> fields, IDictionary<string, object?> properties)
    {
        KeyValuePair<string, object?>? number = null, other = null;
        var fits = true;
        foreach (var property in properties)
        {
            if (property.Value is null)
            {
                continue;
            }

            ref var slot = ref IsNumber(property.Value) ? ref number : ref other;
            if (slot is not null)
            {
                fits = false;
                break;
            }

            slot = property;
        }

        if (!fits)
        {
            Add(fields, "se_la", Json(properties));
            return;
        }

        if (other is { } label)
        {
            Add(fields, "se_la", Text(label.Value));
            Add(fields, "se_pr", label.Key);
        }
        else if (number is { } alone)
        {
            Add(fields, "se_pr", alone.Key);
        }

        if (number is { } value)
        {
            Add(fields, "se_va", Text(value.Value));
        }
    }

    private static bool IsNumber(object value)
        => value is byte or sbyte or short or ushort or int or uint or long or ulong or decimal
            || (value is double d && double.IsFinite(d)) || (value is float f && float.IsFinite(f));

    private static string? Text(object? value) => value switch
    {
        null => null,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Json(IDictionary<string, object?> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                switch (value)
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case bool b:
                        writer.WriteBoolean(name, b);
                        break;
                    case not null when IsNumber(value):
                        writer.WritePropertyName(name);
                        writer.WriteRawValue(Text(value)!, skipInputValidation: false);
                        break;
                    default:
                        writer.WriteString(name, Text(value));
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
