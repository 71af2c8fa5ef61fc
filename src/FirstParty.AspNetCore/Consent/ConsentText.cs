namespace FirstParty.AspNetCore;

/// <summary>A title and description in one language (<c>Translations:{culture}</c> of a category or service).</summary>
public sealed class ConsentText
{
    /// <summary>The title.</summary>
    public string? Title { get; set; }

    /// <summary>The description.</summary>
    public string? Description { get; set; }
}
