using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FirstParty.AspNetCore;

/// <summary>
/// Checks configuration values the binder would drop silently: the regime of each
/// <c>FirstParty:Consent:Regions</c> entry.
/// </summary>
internal sealed class ConfigurationValuesValidator(IConfiguration section) : IValidateOptions<FirstPartyOptions>
{
    public ValidateOptionsResult Validate(string? name, FirstPartyOptions options)
    {
        var failures = new List<string>();
        foreach (var region in section.GetSection("Consent:Regions").GetChildren())
        {
            if (!Enum.TryParse<ConsentRegime>(region.Value, ignoreCase: true, out var regime) || !Enum.IsDefined(regime))
            {
                failures.Add($"{FirstPartyOptions.SectionName}:Consent:Regions:{region.Key} must be OptIn, OptOut or Implied; it is '{region.Value}'.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
