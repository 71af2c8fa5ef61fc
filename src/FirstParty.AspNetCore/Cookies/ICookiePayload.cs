using System.Diagnostics.CodeAnalysis;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// A value stored inside a protected cookie, with its binary form (format 3, what is written) and its
/// text form (formats 1 and 2, still read; and written when there is no binary form).
/// </summary>
internal interface ICookiePayload<TSelf>
    where TSelf : class, ICookiePayload<TSelf>
{
    /// <summary>Reads the binary form, which must fill <paramref name="data"/> exactly; never throws.</summary>
    static abstract bool TryRead(ReadOnlySpan<byte> data, [NotNullWhen(true)] out TSelf? value);

    /// <summary>
    /// Writes the binary form; false when it does not fit or a field has no binary form (then the
    /// value is written in the text form, which carries any value its parser accepts).
    /// </summary>
    bool TryWrite(Span<byte> destination, out int written);

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
