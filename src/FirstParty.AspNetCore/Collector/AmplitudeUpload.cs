using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Amplitude's upload body (<c>{"api_key","events":[…],"options"}</c>, the HTTP V2 and Batch APIs'
/// shape, which analytics-browser posts to its <c>serverUrl</c>): validated the way Amplitude
/// answers it, rewritten with the server's ids, and reduced to the documented members.
/// </summary>
internal static class AmplitudeUpload
{
    /// <summary>Amplitude takes at most 2000 events per request.</summary>
    public const int MaxEvents = 2000;

    /// <summary>Amplitude takes requests under 1 MB.</summary>
    public const int MaxRequestBytes = 1_000_000;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads an upload. With a <paramref name="visitor"/> (consent granted) the events get the
    /// server's ids and the envelope to forward; without one the upload is only validated and counted.
    /// </summary>
    public static CollectorAccept Read(ReadOnlyMemory<byte> body, string path, string? requiredApiKey, CollectorVisitor? visitor, DateTimeOffset now)
    {
        JsonNode? root;
        try
        {
            root = body.IsEmpty ? null : JsonNode.Parse(body.Span);
        }
        catch (JsonException)
        {
            return Invalid("The body is not JSON.", "Invalid JSON request body");
        }

        if (body.IsEmpty)
        {
            return Invalid("The body is empty.", "Missing request body");
        }

        if (root is not JsonObject upload)
        {
            return Invalid("The body is not a JSON object.", "Invalid JSON request body");
        }

        if (upload["api_key"] is not JsonValue apiKeyNode || !apiKeyNode.TryGetValue<string>(out var apiKey) || apiKey.Length == 0)
        {
            return Missing("api_key");
        }

        if (requiredApiKey is not null && !string.Equals(apiKey, requiredApiKey, StringComparison.Ordinal))
        {
            // Never relay another project's events through this site; "Invalid API key" makes the SDK drop them.
            return Invalid("The api_key is not this site's Amplitude project (FirstParty:Providers:Amplitude:ApiKey).", "Invalid API key");
        }

        if (upload["events"] is not JsonArray events)
        {
            return Missing("events");
        }

        if (events.Count > MaxEvents)
        {
            return Invalid($"The upload holds {events.Count} events; Amplitude takes at most {MaxEvents} per request.", "Too many events in the request");
        }

        var options = upload["options"];
        if (options is not null and not JsonObject)
        {
            return Invalid("options must be an object.", "Invalid JSON request body");
        }

        Dictionary<string, List<int>>? invalid = null, missing = null;
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i] is not JsonObject e)
            {
                Add(ref invalid, "event", i);
                continue;
            }

            if (e["event_type"] is null)
            {
                Add(ref missing, "event_type", i);
            }
            else if (!IsNonEmptyString(e["event_type"]))
            {
                Add(ref invalid, "event_type", i);
            }

            foreach (var number in (ReadOnlySpan<string>)["time", "session_id", "event_id"])
            {
                if (e[number] is { } value && value.GetValueKind() != JsonValueKind.Number)
                {
                    Add(ref invalid, number, i);
                }
            }

            foreach (var text in (ReadOnlySpan<string>)["device_id", "user_id", "insert_id"])
            {
                if (e[text] is { } value && value.GetValueKind() != JsonValueKind.String)
                {
                    Add(ref invalid, text, i);
                }
            }
        }

        if (invalid is not null || missing is not null)
        {
            // Amplitude's own answer: the SDK drops the events named here and sends the others again.
            var members = new Dictionary<string, object?>(StringComparer.Ordinal) { ["error"] = "Invalid field values on some events" };
            if (invalid is not null)
            {
                members["events_with_invalid_fields"] = invalid;
            }

            if (missing is not null)
            {
                members["events_with_missing_fields"] = missing;
            }

            return CollectorAccept.Malformed(
                $"Events with missing or invalid fields: {string.Join(", ", (invalid ?? []).Concat(missing ?? []).Select(static f => f.Key + " " + string.Join('/', f.Value)))}.",
                members) with { Events = events.Count };
        }

        if (visitor is null || events.Count == 0)
        {
            return new CollectorAccept { Envelopes = [], Events = events.Count };
        }

        var replaced = 0;
        var keys = new string[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            replaced += Rewrite((JsonObject)events[i]!, visitor, now, out keys[i]);
        }

        var envelope = new CollectorEnvelope
        {
            Vendor = AmplitudeCollector.VendorName,
            QueuedAt = now,
            Path = path,
            Body = Serialize(apiKey, options, events),
            ClientIp = visitor.ClientIp,
            UserAgent = visitor.UserAgent,
            IdempotencyKeys = keys,
            Events = events.Count,
        };
        return new CollectorAccept { Envelopes = [envelope], Events = events.Count, IdsReplaced = replaced };
    }

    /// <summary>Puts the server's ids, IP and user agent into one event; returns 1 when the SDK's device id differed.</summary>
    private static int Rewrite(JsonObject e, CollectorVisitor visitor, DateTimeOffset now, out string insertId)
    {
        var replaced = 0;
        if (visitor.Ids.AmplitudeDeviceId is { } deviceId)
        {
            var current = e["device_id"]?.GetValue<string>();
            if (!string.Equals(current, deviceId, StringComparison.Ordinal))
            {
                replaced = current is null ? 0 : 1;
                e["device_id"] = deviceId;
            }
        }

        if (visitor.UserId is { } userId)
        {
            e["user_id"] = userId;
        }

        // "$remote" would mean this server's address; the visitor's (reduced) address or none at all.
        e.Remove("ip");
        if (visitor.ClientIp is { } ip)
        {
            e["ip"] = ip;
        }

        e.Remove("user_agent");
        if (visitor.UserAgent is { } userAgent)
        {
            e["user_agent"] = userAgent;
        }

        // Forwarding happens later; without a time Amplitude would date the event at upload.
        if (e["time"] is null)
        {
            e["time"] = now.ToUnixTimeMilliseconds();
        }

        // The deduplication key makes a retried upload harmless; an event without one gets one here, once.
        if (e["insert_id"]?.GetValue<string>() is { Length: > 0 } existing)
        {
            insertId = existing;
        }
        else
        {
            insertId = Guid.NewGuid().ToString();
            e["insert_id"] = insertId;
        }

        return replaced;
    }

    private static string Serialize(string apiKey, JsonNode? options, JsonArray events)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("api_key", apiKey);
            writer.WritePropertyName("events");
            events.WriteTo(writer);
            if (options is JsonObject { Count: > 0 })
            {
                writer.WritePropertyName("options");
                options.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>One event made on the server, in an upload of its own.</summary>
    public static string Single(string apiKey, Action<Utf8JsonWriter> writeEvent)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("api_key", apiKey);
            writer.WriteStartArray("events");
            writeEvent(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static bool IsNonEmptyString(JsonNode? node)
        => node is JsonValue value && value.TryGetValue<string>(out var s) && s.Length > 0;

    private static void Add(ref Dictionary<string, List<int>>? fields, string field, int index)
    {
        fields ??= new Dictionary<string, List<int>>(StringComparer.Ordinal);
        if (!fields.TryGetValue(field, out var indexes))
        {
            fields[field] = indexes = [];
        }

        indexes.Add(index);
    }

    private static CollectorAccept Missing(string field)
        => CollectorAccept.Malformed(
            $"The body has no {field}.",
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["error"] = "Request missing required field", ["missing_field"] = field });

    private static CollectorAccept Invalid(string detail, string error)
        => CollectorAccept.Malformed(detail, new Dictionary<string, object?>(StringComparer.Ordinal) { ["error"] = error });
}
