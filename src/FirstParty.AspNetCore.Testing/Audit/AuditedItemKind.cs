namespace FirstParty.AspNetCore.Testing;

/// <summary>Where the browser keeps an audited item.</summary>
public enum AuditedItemKind
{
    /// <summary>A cookie (set by a response or by <c>document.cookie</c>).</summary>
    Cookie,

    /// <summary>A localStorage key.</summary>
    LocalStorage,

    /// <summary>A sessionStorage key.</summary>
    SessionStorage,

    /// <summary>An IndexedDB database name.</summary>
    IndexedDb,
}
