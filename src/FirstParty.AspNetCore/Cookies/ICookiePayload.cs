using System.Diagnostics.CodeAnalysis;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>A value stored inside a protected cookie, with its compact text form.</summary>
internal interface ICookiePayload<TSelf>
    where TSelf : class, ICookiePayload<TSelf>
{
    /// <summary>Parses the text form; never throws.</summary>
    static abstract bool TryParse(ReadOnlySpan<char> text, [NotNullWhen(true)] out TSelf? value);

    /// <summary>The compact text form (printable ASCII).</summary>
    string Format();
}
