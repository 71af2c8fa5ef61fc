using Microsoft.Extensions.Localization;

// Built-in texts live in Resources/, by namespace (Resources/Consent/ConsentTexts.*.resx).
[assembly: ResourceLocation("Resources")]
[assembly: RootNamespace("FirstParty.AspNetCore")]
