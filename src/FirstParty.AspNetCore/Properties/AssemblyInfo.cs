using Microsoft.Extensions.Localization;

// Built-in texts live in Resources/, by namespace (Resources/Consent/ConsentTexts.*.resx).
[assembly: ResourceLocation("Resources")]
[assembly: RootNamespace("FirstParty.AspNetCore")]

// Stack buffers are written before they are read (every stackalloc is filled by a formatter, a
// hash or a split that reports how much it wrote), so the runtime need not zero them first.
[module: System.Runtime.CompilerServices.SkipLocalsInit]
