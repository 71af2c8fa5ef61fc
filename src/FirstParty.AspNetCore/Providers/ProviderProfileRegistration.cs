namespace FirstParty.AspNetCore.Providers;

/// <summary>Marks a profile as enabled, so startup validation checks its options (and a second <c>AddX()</c> adds nothing).</summary>
internal sealed record ProviderProfileRegistration(Type Options);
