using FirstParty.AspNetCore.Tests.TestUtils;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace FirstParty.AspNetCore.Tests.Architecture;

/// <summary>
/// The folder map of docs/architecture.md, enforced: a folder of src/FirstParty.AspNetCore may use
/// the types of the folders listed for it and no others, so dependencies point one way. The root
/// (configuration and registration) and options types (plain configuration) are open to all.
/// </summary>
public sealed class FolderDependencyTests
{
    private const string Root = "(root)";

    /// <summary>What each folder may use besides itself, the root and options types. Keep in step with docs/architecture.md.</summary>
    internal static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["Internal"] = [],
        ["Diagnostics"] = ["Internal"],
        ["Cookies"] = ["Diagnostics", "Internal"],
        ["Consent"] = ["Cookies", "Diagnostics", "Internal"],
        ["Visitors"] = ["Consent", "Cookies", "Diagnostics", "Internal"],
        ["Outbox"] = ["Diagnostics", "Internal"],
        ["Ledger"] = ["Outbox", "Consent", "Diagnostics", "Internal"],
        ["Providers"] = ["Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["Linking"] = ["Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["Collector"] = ["Outbox", "Providers", "Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["Pipeline"] = ["Linking", "Providers", "Ledger", "Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["Endpoints"] = ["Pipeline", "Linking", "Providers", "Ledger", "Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["TagHelpers"] = ["Endpoints", "Linking", "Providers", "Ledger", "Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["OutputCaching"] = ["TagHelpers", "Consent", "Cookies", "Diagnostics", "Internal"],
        ["Insights"] = ["Ledger", "Consent", "Diagnostics", "Internal"],
        ["Components"] = ["TagHelpers", "Endpoints", "Linking", "Providers", "Ledger", "Visitors", "Consent", "Cookies", "Diagnostics", "Internal"],
    };

    [Fact]
    public void Every_folder_uses_only_the_folders_it_may()
    {
        var violations = Violations(LoadSources());

        Assert.True(violations.Count == 0, "Dependencies against the folder map (docs/architecture.md):\n" + string.Join('\n', violations));
    }

    [Fact]
    public void Every_folder_has_a_rule()
    {
        var folders = LoadSources().Select(s => s.Folder).Where(f => f != Root).Distinct().Order(StringComparer.Ordinal).ToList();

        var withoutRule = folders.Where(f => !Allowed.ContainsKey(f)).ToList();
        var withoutFolder = Allowed.Keys.Where(f => !folders.Contains(f)).ToList();

        Assert.True(withoutRule.Count == 0, "Folders without a rule: " + string.Join(", ", withoutRule));
        Assert.True(withoutFolder.Count == 0, "Rules without a folder: " + string.Join(", ", withoutFolder));
    }

    [Fact]
    public void The_check_catches_a_folder_that_starts_depending_on_one_above_it()
    {
        Source[] sources =
        [
            new("Cookies", "Cookies/Writer.cs", CSharpSyntaxTree.ParseText("namespace N; internal sealed class Writer { public void Go(ConsentPolicy p) { } }")),
            new("Consent", "Consent/ConsentPolicy.cs", CSharpSyntaxTree.ParseText("namespace N; internal sealed class ConsentPolicy { public Writer? W; public void Log() => this.Writer(); private void Writer() { } }")),
        ];

        var violation = Assert.Single(Violations(sources));

        Assert.Equal("Cookies/Writer.cs uses ConsentPolicy (Consent)", violation);
    }

    [Fact]
    public void The_collector_may_use_the_outbox_but_not_the_ledger_and_the_outbox_uses_neither()
    {
        Source[] sources =
        [
            new("Collector", "Collector/Forwarder.cs", CSharpSyntaxTree.ParseText("namespace N; internal sealed class Forwarder { DurableOutbox? o; ConsentLedgerWriter? w; }")),
            new("Outbox", "Outbox/DurableOutbox.cs", CSharpSyntaxTree.ParseText("namespace N; internal sealed class DurableOutbox { Forwarder? f; }")),
            new("Ledger", "Ledger/ConsentLedgerWriter.cs", CSharpSyntaxTree.ParseText("namespace N; internal sealed class ConsentLedgerWriter { DurableOutbox? o; }")),
        ];

        Assert.Equal(["Collector/Forwarder.cs uses ConsentLedgerWriter (Ledger)", "Outbox/DurableOutbox.cs uses Forwarder (Collector)"], Violations(sources));
    }

    [Fact]
    public void Members_strings_and_comments_named_like_a_type_are_not_dependencies()
    {
        Source[] sources =
        [
            new("Diagnostics", "Diagnostics/Log.cs", CSharpSyntaxTree.ParseText(
                "namespace N; // VisitorRecord\ninternal static class Log { public static void VisitorRecord(this object o) { } static string S => \"VisitorRecord\"; static void M(object x) => x.VisitorRecord(); }")),
            new("Visitors", "Visitors/VisitorRecord.cs", CSharpSyntaxTree.ParseText("namespace N; internal sealed class VisitorRecord { }")),
        ];

        Assert.Empty(Violations(sources));
    }

    [Fact]
    public void Only_the_response_steps_register_OnStarting_callbacks()
    {
        // The ordering rule: one callback, registered first, running its steps in explicit order.
        var registering = LoadSources()
            .Where(s => s.Tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
                .Any(i => i.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "OnStarting" }))
            .Select(s => s.Path);

        Assert.Equal(["Pipeline/ResponseSteps.cs"], registering);
    }

    private sealed record Source(string Folder, string Path, SyntaxTree Tree);

    private static List<string> Violations(IReadOnlyList<Source> sources)
    {
        // Top-level types only: nested types are private detail and share names (Entry) across files.
        var owner = new Dictionary<string, (string Folder, bool Open)>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            var open = source.Folder == Root || source.Path.EndsWith("Options.cs", StringComparison.Ordinal);
            foreach (var type in source.Tree.GetRoot().DescendantNodes().OfType<BaseTypeDeclarationSyntax>().Where(t => t.Parent is not TypeDeclarationSyntax))
            {
                owner.TryAdd(type.Identifier.ValueText, (source.Folder, open));
            }

            foreach (var type in source.Tree.GetRoot().DescendantNodes().OfType<DelegateDeclarationSyntax>())
            {
                owner.TryAdd(type.Identifier.ValueText, (source.Folder, open));
            }
        }

        var violations = new List<string>();
        foreach (var source in sources.Where(s => s.Folder != Root))
        {
            var allowed = Allowed.TryGetValue(source.Folder, out var list) ? list : [];
            foreach (var name in TypeNamesUsed(source.Tree).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                if (owner.TryGetValue(name, out var declared) && !declared.Open && declared.Folder != source.Folder && !allowed.Contains(declared.Folder))
                {
                    violations.Add($"{source.Path} uses {name} ({declared.Folder})");
                }
            }
        }

        return violations;
    }

    /// <summary>
    /// Simple names in positions a type can take: not the member name after a dot in an expression
    /// (<c>logger.VisitorCookiesDeleted()</c>), not a declaration's own name, never comments or strings.
    /// </summary>
    private static IEnumerable<string> TypeNamesUsed(SyntaxTree tree)
    {
        foreach (var name in tree.GetRoot().DescendantNodes().OfType<SimpleNameSyntax>())
        {
            if (name.Parent is MemberAccessExpressionSyntax access && access.Name == name && !StartsWithUppercaseType(access.Expression))
            {
                continue;
            }

            if (name.Parent is MemberBindingExpressionSyntax || name.Parent is NameColonSyntax || name.Parent is NameEqualsSyntax)
            {
                continue;
            }

            yield return name.Identifier.ValueText;
        }
    }

    // "Cookies.CookieGate" in an expression is a namespace-qualified type; "x.Member" is not.
    private static bool StartsWithUppercaseType(ExpressionSyntax expression)
        => expression is IdentifierNameSyntax { Identifier.ValueText: "Cookies" or "Consent" or "Visitors" or "Providers" or "Ledger" or "Linking" or "Endpoints" or "TagHelpers" or "Pipeline" or "Internal" or "Diagnostics" or "OutputCaching" or "Outbox" or "Collector" };

    private static List<Source> LoadSources()
    {
        var project = SourceTree.ProjectDirectory();
        return [.. Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(project, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("obj/", StringComparison.Ordinal) && !path.StartsWith("bin/", StringComparison.Ordinal)
                && !path.StartsWith("Properties/", StringComparison.Ordinal) && !path.Contains("node_modules", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(path => new Source(
                path.Contains('/', StringComparison.Ordinal) ? path[..path.IndexOf('/', StringComparison.Ordinal)] : Root,
                path,
                CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(project, path)), path: path)))];
    }
}
