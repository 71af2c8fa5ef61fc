namespace FirstParty.AspNetCore.Ledger;

/// <summary>Validates the <c>FirstParty:Ledger</c> section at startup.</summary>
internal static class ConsentLedgerOptionsValidator
{
    private const string Section = FirstPartyOptions.SectionName;

    public static void Validate(ConsentLedgerOptions? ledger, List<string> failures)
    {
        if (ledger is null)
        {
            failures.Add($"{Section}:Ledger must not be null.");
            return;
        }

        if (!Enum.IsDefined(ledger.Mode))
        {
            failures.Add($"{Section}:Ledger:Mode must be Background or Strict.");
        }

        if (ledger.StaffActionKey is { } key && key.Length < 32)
        {
            failures.Add($"{Section}:Ledger:StaffActionKey must be at least 32 characters (for example 32 random bytes in base64).");
        }

        if (ledger.QueueCapacity is < 1 or > 1_000_000)
        {
            failures.Add($"{Section}:Ledger:QueueCapacity must be between 1 and 1000000; it is {ledger.QueueCapacity}.");
        }

        if (ledger.BatchSize is < 1 or > 10_000)
        {
            failures.Add($"{Section}:Ledger:BatchSize must be between 1 and 10000; it is {ledger.BatchSize}.");
        }

        if (ledger.RetryDelay <= TimeSpan.Zero || ledger.MaxRetryDelay < ledger.RetryDelay)
        {
            failures.Add($"{Section}:Ledger:RetryDelay must be positive and no longer than {Section}:Ledger:MaxRetryDelay.");
        }

        if (string.IsNullOrWhiteSpace(ledger.SpillDirectory) || ledger.SpillDirectory.AsSpan().IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            failures.Add($"{Section}:Ledger:SpillDirectory must be a folder path.");
        }

        if (ledger.Retention is { } retention && retention < TimeSpan.FromDays(1))
        {
            failures.Add($"{Section}:Ledger:Retention must be at least one day (or null to keep receipts forever); it is {retention}.");
        }

        if (ledger.PurgeInterval < TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:Ledger:PurgeInterval must be at least one minute; it is {ledger.PurgeInterval}.");
        }

        if (!Enum.IsDefined(ledger.ForgetErasure))
        {
            failures.Add($"{Section}:Ledger:ForgetErasure must be Delete or Pseudonymise.");
        }

        if (ledger.ErasureClockSkew < TimeSpan.Zero || ledger.ErasureClockSkew > TimeSpan.FromHours(1))
        {
            failures.Add($"{Section}:Ledger:ErasureClockSkew must be between 00:00:00 and 01:00:00; it is {ledger.ErasureClockSkew}.");
        }

        if (ledger.UserAgentMaxLength is < 0 or > 4096)
        {
            failures.Add($"{Section}:Ledger:UserAgentMaxLength must be between 0 and 4096; it is {ledger.UserAgentMaxLength}.");
        }

        if (ledger.UserId is null)
        {
            failures.Add($"{Section}:Ledger:UserId must not be null.");
        }
    }
}
