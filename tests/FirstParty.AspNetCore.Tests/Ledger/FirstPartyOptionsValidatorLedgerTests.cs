using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore.Tests.Ledger;

/// <summary>The <c>FirstParty:Ledger</c> section of <see cref="FirstPartyOptionsValidator"/>.</summary>
public sealed class FirstPartyOptionsValidatorLedgerTests
{
    [Fact]
    public void The_ledger_defaults_are_valid()
    {
        var options = new FirstPartyOptions();

        Assert.True(new FirstPartyOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(ConsentLedgerMode.Background, options.Ledger.Mode);
        Assert.Equal(10_000, options.Ledger.QueueCapacity);
        Assert.Equal(256, options.Ledger.BatchSize);
        Assert.Equal(TimeSpan.FromDays(3 * 365), options.Ledger.Retention);
        Assert.Equal(ReceiptErasure.Delete, options.Ledger.ForgetErasure);
    }

    [Theory]
    [InlineData("QueueCapacity 0", "FirstParty:Ledger:QueueCapacity")]
    [InlineData("QueueCapacity too large", "FirstParty:Ledger:QueueCapacity")]
    [InlineData("BatchSize 0", "FirstParty:Ledger:BatchSize")]
    [InlineData("BatchSize too large", "FirstParty:Ledger:BatchSize")]
    [InlineData("RetryDelay 0", "FirstParty:Ledger:RetryDelay")]
    [InlineData("RetryDelay negative", "FirstParty:Ledger:RetryDelay")]
    [InlineData("MaxRetryDelay below RetryDelay", "FirstParty:Ledger:MaxRetryDelay")]
    [InlineData("SpillDirectory empty", "FirstParty:Ledger:SpillDirectory")]
    [InlineData("SpillDirectory blank", "FirstParty:Ledger:SpillDirectory")]
    [InlineData("SpillDirectory null", "FirstParty:Ledger:SpillDirectory")]
    [InlineData("SpillDirectory invalid", "FirstParty:Ledger:SpillDirectory")]
    [InlineData("Retention 1 hour", "FirstParty:Ledger:Retention")]
    [InlineData("PurgeInterval 10 s", "FirstParty:Ledger:PurgeInterval")]
    [InlineData("UserAgentMaxLength -1", "FirstParty:Ledger:UserAgentMaxLength")]
    [InlineData("UserAgentMaxLength too large", "FirstParty:Ledger:UserAgentMaxLength")]
    [InlineData("UserId null", "FirstParty:Ledger:UserId")]
    [InlineData("ErasureClockSkew negative", "FirstParty:Ledger:ErasureClockSkew")]
    [InlineData("ErasureClockSkew over an hour", "FirstParty:Ledger:ErasureClockSkew")]
    [InlineData("Mode undefined", "FirstParty:Ledger:Mode")]
    [InlineData("ForgetErasure undefined", "FirstParty:Ledger:ForgetErasure")]
    public void An_invalid_ledger_value_fails_naming_its_key(string invalid, string key)
    {
        var options = new FirstPartyOptions();
        Break(options.Ledger, invalid);

        var result = new FirstPartyOptionsValidator().Validate(null, options);

        Assert.True(result.Failed, invalid);
        var failure = Assert.Single(result.Failures!);
        Assert.Contains(key, failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Retention null")]
    [InlineData("Retention one day")]
    [InlineData("PurgeInterval one minute")]
    [InlineData("UserAgentMaxLength 0")]
    [InlineData("MaxRetryDelay equal to RetryDelay")]
    [InlineData("Strict")]
    [InlineData("Pseudonymise")]
    [InlineData("Bounds")]
    [InlineData("ErasureClockSkew zero")]
    [InlineData("ErasureClockSkew one hour")]
    public void Edge_values_are_valid(string valid)
    {
        var options = new FirstPartyOptions();
        switch (valid)
        {
            case "Retention null": options.Ledger.Retention = null; break;
            case "Retention one day": options.Ledger.Retention = TimeSpan.FromDays(1); break;
            case "PurgeInterval one minute": options.Ledger.PurgeInterval = TimeSpan.FromMinutes(1); break;
            case "UserAgentMaxLength 0": options.Ledger.UserAgentMaxLength = 0; break;
            case "MaxRetryDelay equal to RetryDelay": options.Ledger.MaxRetryDelay = options.Ledger.RetryDelay; break;
            case "Strict": options.Ledger.Mode = ConsentLedgerMode.Strict; break;
            case "Pseudonymise": options.Ledger.ForgetErasure = ReceiptErasure.Pseudonymise; break;
            case "ErasureClockSkew zero": options.Ledger.ErasureClockSkew = TimeSpan.Zero; break;
            case "ErasureClockSkew one hour": options.Ledger.ErasureClockSkew = TimeSpan.FromHours(1); break;
            case "Bounds":
                options.Ledger.QueueCapacity = 1_000_000;
                options.Ledger.BatchSize = 10_000;
                options.Ledger.UserAgentMaxLength = 4096;
                break;
            default: throw new ArgumentOutOfRangeException(nameof(valid), valid, null);
        }

        var result = new FirstPartyOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void A_null_ledger_section_fails()
    {
        var result = new FirstPartyOptionsValidator().Validate(null, new FirstPartyOptions { Ledger = null! });

        Assert.True(result.Failed);
        Assert.Contains("FirstParty:Ledger", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_invalid_ledger_value_is_reported_at_once()
    {
        var options = new FirstPartyOptions { Ledger = { QueueCapacity = 0, BatchSize = 0, PurgeInterval = TimeSpan.FromSeconds(10) } };

        var result = new FirstPartyOptionsValidator().Validate(null, options);

        Assert.Contains("FirstParty:Ledger:QueueCapacity", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Ledger:BatchSize", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("FirstParty:Ledger:PurgeInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("FirstParty:Ledger:QueueCapacity", "0")]
    [InlineData("FirstParty:Ledger:BatchSize", "0")]
    [InlineData("FirstParty:Ledger:RetryDelay", "00:00:00")]
    [InlineData("FirstParty:Ledger:SpillDirectory", " ")]
    [InlineData("FirstParty:Ledger:Retention", "01:00:00")]
    [InlineData("FirstParty:Ledger:PurgeInterval", "00:00:10")]
    [InlineData("FirstParty:Ledger:UserAgentMaxLength", "-1")]
    public async Task An_invalid_ledger_setting_stops_startup_naming_its_key(string key, string value)
    {
        var ex = await OptionsHost.AssertStartFailsAsync((key, value));

        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Equal(typeof(FirstPartyOptions), ex.OptionsType);
    }

    [Fact]
    public async Task A_max_retry_delay_below_the_retry_delay_in_configuration_stops_startup()
    {
        var ex = await OptionsHost.AssertStartFailsAsync(("FirstParty:Ledger:RetryDelay", "00:00:05"), ("FirstParty:Ledger:MaxRetryDelay", "00:00:01"));

        Assert.Contains("FirstParty:Ledger:MaxRetryDelay", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ledger_settings_are_bound_from_configuration()
    {
        using var host = OptionsHost.Build(new Dictionary<string, string?>
        {
            ["FirstParty:Ledger:Mode"] = "Strict",
            ["FirstParty:Ledger:QueueCapacity"] = "50",
            ["FirstParty:Ledger:BatchSize"] = "5",
            ["FirstParty:Ledger:RetryDelay"] = "00:00:01",
            ["FirstParty:Ledger:MaxRetryDelay"] = "00:01:00",
            ["FirstParty:Ledger:SpillDirectory"] = Path.Combine(Path.GetTempPath(), "fp-ledger-tests", "bound"),
            ["FirstParty:Ledger:Retention"] = "730.00:00:00",
            ["FirstParty:Ledger:PurgeInterval"] = "06:00:00",
            ["FirstParty:Ledger:ForgetErasure"] = "Pseudonymise",
            ["FirstParty:Ledger:UserAgentMaxLength"] = "64",
        });

        var ledger = host.Services.GetRequiredService<IOptions<FirstPartyOptions>>().Value.Ledger;

        Assert.Equal(ConsentLedgerMode.Strict, ledger.Mode);
        Assert.Equal(50, ledger.QueueCapacity);
        Assert.Equal(5, ledger.BatchSize);
        Assert.Equal(TimeSpan.FromSeconds(1), ledger.RetryDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), ledger.MaxRetryDelay);
        Assert.Equal(TimeSpan.FromDays(730), ledger.Retention);
        Assert.Equal(TimeSpan.FromHours(6), ledger.PurgeInterval);
        Assert.Equal(ReceiptErasure.Pseudonymise, ledger.ForgetErasure);
        Assert.Equal(64, ledger.UserAgentMaxLength);
        Assert.NotNull(ledger.UserId);
    }

    private static void Break(ConsentLedgerOptions ledger, string invalid)
    {
        switch (invalid)
        {
            case "QueueCapacity 0": ledger.QueueCapacity = 0; break;
            case "QueueCapacity too large": ledger.QueueCapacity = 1_000_001; break;
            case "BatchSize 0": ledger.BatchSize = 0; break;
            case "BatchSize too large": ledger.BatchSize = 10_001; break;
            case "RetryDelay 0": ledger.RetryDelay = TimeSpan.Zero; break;
            case "RetryDelay negative": ledger.RetryDelay = TimeSpan.FromSeconds(-1); break;
            case "MaxRetryDelay below RetryDelay":
                ledger.RetryDelay = TimeSpan.FromSeconds(2);
                ledger.MaxRetryDelay = TimeSpan.FromSeconds(1);
                break;
            case "SpillDirectory empty": ledger.SpillDirectory = string.Empty; break;
            case "SpillDirectory blank": ledger.SpillDirectory = "   "; break;
            case "SpillDirectory null": ledger.SpillDirectory = null!; break;
            case "SpillDirectory invalid": ledger.SpillDirectory = "ledger\0spill"; break;
            case "Retention 1 hour": ledger.Retention = TimeSpan.FromHours(1); break;
            case "PurgeInterval 10 s": ledger.PurgeInterval = TimeSpan.FromSeconds(10); break;
            case "UserAgentMaxLength -1": ledger.UserAgentMaxLength = -1; break;
            case "UserAgentMaxLength too large": ledger.UserAgentMaxLength = 4097; break;
            case "ErasureClockSkew negative": ledger.ErasureClockSkew = TimeSpan.FromTicks(-1); break;
            case "ErasureClockSkew over an hour": ledger.ErasureClockSkew = TimeSpan.FromHours(1).Add(TimeSpan.FromTicks(1)); break;
            case "UserId null": ledger.UserId = null!; break;
            case "Mode undefined": ledger.Mode = (ConsentLedgerMode)9; break;
            case "ForgetErasure undefined": ledger.ForgetErasure = (ReceiptErasure)9; break;
            default: throw new ArgumentOutOfRangeException(nameof(invalid), invalid, null);
        }
    }
}
