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
                // One vectorised search for the name instead of walking every pair: a browser sends
                // a dozen cookies and FirstParty looks for several names on every request.
                var found = header[_position..].IndexOf(_name, StringComparison.Ordinal);
                if (found < 0)
                {
                    break;
                }

                var nameStart = _position + found;
                var afterName = nameStart + _name.Length;
                _position = afterName;

                // A match counts only as a whole name at the start of a pair: after the header's
                // start or a ';' (spaces allowed), and followed by '=' (spaces allowed). A match
                // inside another name or inside a value is not this cookie.
                var before = header[..nameStart].TrimEnd(' ');
                if (!before.IsEmpty && before[^1] != ';')
                {
                    continue;
                }

                var rest = header[afterName..].TrimStart(' ');
                if (rest.IsEmpty || rest[0] != '=')
                {
                    continue;
                }

                var valueStart = header.Length - rest.Length + 1;
                var end = header[valueStart..].IndexOf(';');
                var value = end < 0 ? header[valueStart..] : header.Slice(valueStart, end);
                _position = end < 0 ? header.Length : valueStart + end + 1;

                value = value.Trim(' ');
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
