using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using FirstParty.AspNetCore.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Collector;

/// <summary>
/// Snowplow's tracker protocol as the collector reads and writes it: the <c>payload_data</c> body of
/// a <c>tp2</c> post, or the one event of a <c>/i</c> query string, validated as strictly as Enrich
/// does (one bad value fails the whole payload there, so it fails the hit here) and rewritten with
/// the server's ids into a JSON array of events, the unit the collector queues and batches.
/// </summary>
internal static class SnowplowPayload
{
    /// <summary>The envelope every upstream post carries: what @snowplow/browser-tracker 4.x sends.</summary>
    public const string Schema = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4";

    /// <summary>The revisions Enrich's tp2 adapter takes (any <c>1-0-*</c>).</summary>
    private const string SchemaPrefix = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-";

    /// <summary>
    /// The most events one hit may carry. The tracker fills a post up to 40 000 bytes and an event
    /// is rarely under 200 bytes, so a real tracker stays far below; more is a flood, not a page.
    /// </summary>
    public const int MaxEventsPerHit = 500;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // The events go to a JSON API, never into HTML: keeping non-ASCII text as it is keeps them small.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    /// <summary>What one hit became: the events as a JSON array, their ids, how many ids were replaced.</summary>
    internal readonly record struct Rewritten(string Events, string[] EventIds, int Count, int IdsReplaced);

    /// <summary>The server's values for the ids a hit carries; nulls leave the hit's own value.</summary>
    internal readonly record struct ServerIds(string? DomainUserId, string? SessionId, string? SessionIndex, string? UserId)
    {
        public static ServerIds From(CollectorVisitor visitor, bool anonymous) => new(
            visitor.Ids.SnowplowDomainUserId,
            visitor.SessionId is { } sid && IsUuid(sid) ? sid : null,
            visitor.SessionIndex > 0 ? visitor.SessionIndex.ToString(CultureInfo.InvariantCulture) : null,

            // A tracker that asked for server anonymisation gets no user id added by the server.
            anonymous ? null : visitor.UserId);
    }

    /// <summary>Whether a request's Content-Type is one the tracker sends (JSON, UTF-8) or plain text.</summary>
    public static bool IsAcceptedContentType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }

        var type = media.MediaType;
        if (!type.Equals("application/json", StringComparison.OrdinalIgnoreCase) && !type.Equals("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = media.Charset;
        return !charset.HasValue || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Reads a <c>payload_data</c> body. Returns an error (the hit is malformed) or the rewritten
    /// events when <paramref name="ids"/> is given; with no ids (consent refused) it only validates
    /// and counts.
    /// </summary>
    public static string? ReadPost(ReadOnlyMemory<byte> body, ServerIds? ids, out Rewritten result)
    {
        result = default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            return "The body is not JSON: " + ex.Message;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("data", out var data))
            {
                return "The body is not a Snowplow payload_data envelope ({\"schema\":…,\"data\":[…]}).";
            }

            if (!IsPayloadDataSchema(schema.GetString()))
            {
                return $"The schema must be {SchemaPrefix}*.";
            }

            if (data.ValueKind != JsonValueKind.Array)
            {
                return "The payload's data must be an array of events.";
            }

            var count = data.GetArrayLength();
            if (count == 0)
            {
                return "The payload holds no events.";
            }

            if (count > MaxEventsPerHit)
            {
                return $"The payload holds {count} events; at most {MaxEventsPerHit} are taken in one request.";
            }

            // Validate everything before writing anything: one bad event fails the whole payload.
            foreach (var item in data.EnumerateArray())
            {
                if (Validate(item) is { } error)
                {
                    return error;
                }
            }

            if (ids is not { } server)
            {
                result = new Rewritten(string.Empty, [], count, 0);
                return null;
            }

            var buffer = new ArrayBufferWriter<byte>(body.Length + 256);
            var eventIds = new string[count];
            var replaced = 0;
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartArray();
                var i = 0;
                foreach (var item in data.EnumerateArray())
                {
                    writer.WriteStartObject();
                    var seen = Field.None;
                    foreach (var property in item.EnumerateObject())
                    {
                        var field = FieldOf(property);
                        seen |= field;
                        if (field == Field.Eid)
                        {
                            eventIds[i] = property.Value.GetString()!;
                        }

                        if (Replacement(field, server) is { } value && (field & Field.Strip) == 0)
                        {
                            if (!property.Value.ValueEquals(value))
                            {
                                replaced += field == Field.Uid ? 0 : 1;
                            }

                            writer.WriteString(property.Name, value);
                        }
                        else if ((field & Field.Strip) == 0)
                        {
                            property.WriteTo(writer);
                        }
                    }

                    Complete(writer, seen, server, ref eventIds[i]);
                    writer.WriteEndObject();
                    i++;
                }

                writer.WriteEndArray();
            }

            result = new Rewritten(Encoding.UTF8.GetString(buffer.WrittenSpan), eventIds, count, replaced);
            return null;
        }
    }

    /// <summary>Reads the one event of a <c>/i</c> pixel's query string (values already percent-decoded).</summary>
    public static string? ReadQuery(IQueryCollection query, ServerIds? ids, out Rewritten result)
    {
        result = default;
        if (query.Count == 0)
        {
            return "The pixel request carries no event.";
        }

        foreach (var (name, values) in query)
        {
            if (values.Count != 1)
            {
                return $"The parameter '{Truncate(name)}' is given {values.Count} times.";
            }

            if (Validate(FieldOf(name), values[0]) is { } error)
            {
                return error;
            }
        }

        if (ids is not { } server)
        {
            result = new Rewritten(string.Empty, [], 1, 0);
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        var eventIds = new string[1];
        var replaced = 0;
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            var seen = Field.None;
            foreach (var (name, values) in query)
            {
                var field = FieldOf(name);
                seen |= field;
                var value = values[0]!;
                if (field == Field.Eid)
                {
                    eventIds[0] = value;
                }

                if ((field & Field.Strip) != 0)
                {
                    continue;
                }

                if (Replacement(field, server) is { } replacement)
                {
                    replaced += field != Field.Uid && !string.Equals(value, replacement, StringComparison.Ordinal) ? 1 : 0;
                    value = replacement;
                }

                writer.WriteString(name, value);
            }

            Complete(writer, seen, server, ref eventIds[0]);
            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        result = new Rewritten(Encoding.UTF8.GetString(buffer.WrittenSpan), eventIds, 1, replaced);
        return null;
    }

    /// <summary>Writes the envelope around events (JSON arrays as <see cref="Rewritten.Events"/> holds them) into one body.</summary>
    public static byte[] Envelope(IEnumerable<string> eventArrays)
    {
        var builder = new StringBuilder(1024);
        builder.Append("{\"schema\":\"").Append(Schema).Append("\",\"data\":[");
        var first = true;
        foreach (var events in eventArrays)
        {
            // Each is "[{…},{…}]": its inside joins the others'.
            var inner = events.AsSpan(1, events.Length - 2);
            if (inner.IsEmpty)
            {
                continue;
            }

            if (!first)
            {
                builder.Append(',');
            }

            builder.Append(inner);
            first = false;
        }

        builder.Append("]}");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Writes one event as a JSON array of one object, every value a string.</summary>
    public static string Write(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartArray();
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    internal static bool IsUuid(ReadOnlySpan<char> value) => value.Length == 36 && Guid.TryParseExact(value, "D", out _);

    private static bool IsPayloadDataSchema(string? schema)
        => schema is not null && schema.StartsWith(SchemaPrefix, StringComparison.Ordinal)
            && schema.Length > SchemaPrefix.Length && schema.AsSpan(SchemaPrefix.Length).IndexOfAnyExceptInRange('0', '9') < 0;

    private static string? Validate(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            return "Every event of the payload must be a JSON object.";
        }

        foreach (var property in item.EnumerateObject())
        {
            switch (property.Value.ValueKind)
            {
                case JsonValueKind.String:
                    break;
                case JsonValueKind.Null:
                    return $"The value of '{Truncate(property.Name)}' cannot be null.";
                default:
                    return $"The value of '{Truncate(property.Name)}' is not a string.";
            }

            var field = FieldOf(property);
            if ((field == Field.Eid || field == Field.Sid) && !property.Value.TryGetGuid(out _))
            {
                return $"The value of '{property.Name}' must be a UUID.";
            }
        }

        return null;
    }

    private static string? Validate(Field field, string? value)
        => (field == Field.Eid || field == Field.Sid) && (value is null || !IsUuid(value))
            ? $"The value of '{(field == Field.Eid ? "eid" : "sid")}' must be a UUID."
            : null;

    /// <summary>The server's value for a field, or null to keep the hit's.</summary>
    private static string? Replacement(Field field, ServerIds server) => field switch
    {
        Field.Duid => server.DomainUserId,
        Field.Sid => server.SessionId,
        Field.Vid => server.SessionIndex,
        Field.Uid => server.UserId,
        _ => null,
    };

    /// <summary>
    /// Adds what the server owes an event after its own fields: the user id the server knows when
    /// the event has none (but only beside a domain user id: an event without one comes from
    /// anonymous tracking), and an event id when the tracker gave none, so a retry is not a second event.
    /// </summary>
    private static void Complete(Utf8JsonWriter writer, Field seen, ServerIds server, ref string eventId)
    {
        if ((seen & Field.Uid) == 0 && (seen & Field.Duid) != 0 && server.UserId is { } uid)
        {
            writer.WriteString("uid", uid);
        }

        if ((seen & Field.Eid) == 0)
        {
            eventId = RandomIds.NewUuid();
            writer.WriteString("eid", eventId);
        }
    }

    private static Field FieldOf(JsonProperty property)
    {
        // NameEquals compares the raw bytes: no string per property.
        var length = property.Name.Length;
        return length switch
        {
            2 when property.NameEquals("ip") => Field.Ip,
            2 when property.NameEquals("ua") => Field.Ua,
            3 when property.NameEquals("eid") => Field.Eid,
            3 when property.NameEquals("sid") => Field.Sid,
            3 when property.NameEquals("vid") => Field.Vid,
            3 when property.NameEquals("uid") => Field.Uid,
            4 when property.NameEquals("duid") => Field.Duid,
            4 when property.NameEquals("nuid") => Field.Nuid,
            5 when property.NameEquals("tnuid") => Field.Tnuid,
            _ => Field.None,
        };
    }

    private static Field FieldOf(string name) => name switch
    {
        "ip" => Field.Ip,
        "ua" => Field.Ua,
        "eid" => Field.Eid,
        "sid" => Field.Sid,
        "vid" => Field.Vid,
        "uid" => Field.Uid,
        "duid" => Field.Duid,
        "nuid" => Field.Nuid,
        "tnuid" => Field.Tnuid,
        _ => Field.None,
    };

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    /// <summary>The fields the collector looks at; the <see cref="Strip"/> ones a client may not choose.</summary>
    [Flags]
    private enum Field
    {
        None = 0,
        Eid = 1,
        Duid = 2,
        Sid = 4,
        Vid = 8,
        Uid = 16,

        // The network id (the collector's own, from the sp cookie), the IP and the user agent come from the server.
        Nuid = 32,
        Tnuid = 64,
        Ip = 128,
        Ua = 256,
        Strip = Nuid | Tnuid | Ip | Ua,
    }
}
