using System.Diagnostics.CodeAnalysis;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>A value stored inside a protected cookie, with its compact text form.</summary>
internal interface ICookiePayload<TSelf>
    where TSelf : class, ICookiePayload<TSelf>
{
    /// <summary>Parses the text form; never throws.</summary>
    static abstract bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out TSelf? value);

    /// <summary>Writes the compact text form (printable ASCII); false when it does not fit.</summary>
    bool TryFormat(Span<char> destination, out int written);

    /// <summary>The compact text form as a string.</summary>
    string Format();
}

internal static class CookiePayload
{
    /// <summary>The text form of a payload as a string (the hot path formats into stack buffers instead).</summary>
    public static string Format<T>(T value)
        where T : class, ICookiePayload<T>
    {
        Span<char> buffer = stackalloc char[CookieProtector.MaxPayloadLength];
        return value.TryFormat(buffer, out var written)
            ? buffer[..written].ToString()
            : throw new InvalidOperationException($"The {typeof(T).Name} payload is longer than {CookieProtector.MaxPayloadLength} characters.");
    }
}
