using Microsoft.Extensions.Primitives;

namespace FirstParty.AspNetCore.Cookies;

/// <summary>
/// Finds every value sent under one cookie name in the raw <c>Cookie</c> request headers, in the
/// order the browser sent them. <c>Request.Cookies</c> keeps only the last of duplicated names and
/// percent-decodes values; cookie tossing relies on duplicates, so FirstParty reads the header itself.
/// </summary>
internal ref struct CookieHeaderScanner
{
    private readonly StringValues _headers;
    private readonly string _name;
    private int _headerIndex;
    private int _position;

    public CookieHeaderScanner(StringValues headers, string name)
    {
        _headers = headers;
        _name = name;
        _headerIndex = 0;
        _position = 0;
        Current = default;
    }

    /// <summary>The current cookie value, without surrounding double quotes.</summary>
    public ReadOnlySpan<char> Current { get; private set; }

    public readonly CookieHeaderScanner GetEnumerator() => this;

    public bool MoveNext()
    {
        while (_headerIndex < _headers.Count)
        {
            var header = _headers[_headerIndex].AsSpan();
            while (_position < header.Length)
            {
                var rest = header[_position..];
                var end = rest.IndexOf(';');
                var pair = end < 0 ? rest : rest[..end];
                _position += end < 0 ? rest.Length : end + 1;

                pair = pair.Trim(' ');
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !pair[..equals].TrimEnd(' ').SequenceEqual(_name))
                {
                    continue;
                }

                var value = pair[(equals + 1)..].TrimStart(' ');
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
                {
                    value = value[1..^1];
                }

                Current = value;
                return true;
            }

            _headerIndex++;
            _position = 0;
        }

        return false;
    }
}
