using System.Collections.ObjectModel;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace LlmCache.Tests.Keys;

#pragma warning disable MEAI001 // experimental types are keyed like the others

/// <summary>
/// Holds every Microsoft.Extensions.AI request type to <see cref="AIKeyCoverage"/>: no public property
/// is left unaccounted for (so a package upgrade that adds one fails here instead of weakening keys
/// silently), and every property the catalogue calls keyed really changes the key.
/// </summary>
public sealed class AIKeyCoverageTests
{
    private static readonly Type[] s_roots =
    [
        typeof(ChatOptions), typeof(ChatMessage), typeof(AIContent), typeof(AITool), typeof(ChatResponseFormat),
        typeof(EmbeddingGenerationOptions), typeof(ChatToolMode), typeof(ReasoningOptions), typeof(AIAnnotation),
        typeof(AnnotatedRegion), typeof(HostedMcpServerToolApprovalMode), typeof(ImageGenerationOptions), typeof(UsageDetails),
    ];

    /// <summary>Every public type deriving from a root, across the loaded Microsoft.Extensions.AI assemblies.</summary>
    private static List<Type> LibraryTypes()
    {
        // Load both assemblies (the abstractions and the implementations).
        _ = typeof(ChatClientBuilder).Assembly;
        return AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name!.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal))
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => s_roots.Any(r => r.IsAssignableFrom(t)))
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<PropertyInfo> PublicProperties(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0);

    [Fact]
    public void EveryPublicProperty_IsKeyedExcludedOrRefused()
    {
        List<Type> types = LibraryTypes();
        Assert.Contains(typeof(HostedMcpServerTool), types);
        Assert.Contains(typeof(ApprovalRequiredAIFunction), types);
        var missing = new List<string>();
        foreach (Type type in types)
        {
            if (!AIKeyCoverage.Entries.ContainsKey(type))
            {
                missing.Add($"{type.FullName} (no catalogue entry)");
            }
            foreach (PropertyInfo property in PublicProperties(type))
            {
                if (AIKeyCoverage.RuleFor(type, property.Name, out _) == AIMemberRule.Unlisted)
                {
                    missing.Add($"{type.FullName}.{property.Name}");
                }
            }
        }
        Assert.True(missing.Count == 0, "Neither keyed nor excluded (add them to AIKeyCoverage and the writers):\n" + string.Join("\n", missing));
    }

    [Fact]
    public void TheCatalogue_NamesOnlyRealProperties_AndGivesEveryExclusionAReason()
    {
        foreach ((Type type, AIKeyCoverageEntry entry) in AIKeyCoverage.Entries)
        {
            var names = PublicProperties(type).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (string name in entry.Keyed.Concat(entry.Excluded.Keys).Concat(entry.PassThrough.Keys))
            {
                Assert.True(names.Contains(name), $"{type.Name}.{name} is catalogued but does not exist");
            }
            Assert.All(entry.Excluded.Values.Concat(entry.PassThrough.Values), reason => Assert.False(string.IsNullOrWhiteSpace(reason)));
        }
    }

    /// <summary>
    /// For every constructible catalogued type and every property keyed on it (its own or inherited):
    /// two instances that differ in that property alone have different keys. A settable property is
    /// set; a read-only one is varied through the constructor parameter of the same name.
    /// </summary>
    [Fact]
    public void EveryKeyedProperty_ChangesTheKey()
    {
        var proven = new List<string>();
        var notVariable = new List<(Type Type, string Property)>();
        foreach (Type type in AIKeyCoverage.Entries.Keys.Where(t => !t.IsAbstract && t.GetConstructors().Length > 0))
        {
            foreach (PropertyInfo property in PublicProperties(type))
            {
                if (AIKeyCoverage.RuleFor(type, property.Name, out _) != AIMemberRule.Keyed)
                {
                    continue;
                }
                if (Variants(type, property) is not { } pair)
                {
                    notVariable.Add((type, property.Name));
                    continue;
                }
                string a = Keys.OfObject(pair.A);
                string b = Keys.OfObject(pair.B);
                Assert.True(a != b, $"{type.Name}.{property.Name} is catalogued as keyed but does not change the key");
                proven.Add($"{type.Name}.{property.Name}");
            }
        }
        Assert.True(proven.Count > 80, $"only {proven.Count} properties proven");
        // Only the fixed names of hosted tools cannot be varied (they are constants); a function's
        // declaration is proven by FunctionDeclarations_AreKeyedByWhatTheModelSees.
        Assert.All(notVariable, n => Assert.True(
            (n.Property is "Name" or "Description" && n.Type.Name.StartsWith("Hosted", StringComparison.Ordinal) && typeof(AITool).IsAssignableFrom(n.Type))
            || typeof(AIFunctionDeclaration).IsAssignableFrom(n.Type),
            $"{n.Type.Name}.{n.Property} could not be varied"));
    }

    [Fact]
    public void PassThroughProperties_SendTheCallToTheModel_AndStillChangeTheKey()
    {
        int checkedCount = 0;
        foreach ((Type type, AIKeyCoverageEntry entry) in AIKeyCoverage.Entries.Where(e => !e.Key.IsAbstract))
        {
            foreach (string name in entry.PassThrough.Keys)
            {
                PropertyInfo property = type.GetProperty(name)!;
                object plain = Construct(type, null, 0)!;
                Assert.False(WritePassesThrough(plain, out string before));
                object first = Construct(type, null, 0)!;
                property.SetValue(first, Sample(property.PropertyType, name, 0));
                Assert.True(WritePassesThrough(first, out string a), $"{type.Name}.{name} does not pass through");
                object second = Construct(type, null, 0)!;
                property.SetValue(second, Sample(property.PropertyType, name, 1));
                Assert.True(WritePassesThrough(second, out string b));
                Assert.NotEqual(before, a);
                Assert.NotEqual(a, b);
                checkedCount++;
            }
        }
        Assert.True(checkedCount > 0);
    }

    private static bool WritePassesThrough(object value, out string key)
    {
        KeyWriter writer = KeyWriter.Rent("");
        try
        {
            writer.WriteObject(value);
            bool passThrough = writer.PassThrough;
            key = writer.Complete();
            return passThrough;
        }
        finally
        {
            writer.Dispose();
        }
    }

    [Fact]
    public void ExcludedMessageFields_DoNotChangeTheKey()
    {
        static ChatMessage Message(string? id, DateTimeOffset? at, object? raw) =>
            new(ChatRole.User, "hi") { MessageId = id, CreatedAt = at, RawRepresentation = raw };
        Assert.Equal(Keys.OfObject(Message(null, null, null)), Keys.OfObject(Message("m1", DateTimeOffset.UnixEpoch, new object())));
        Assert.Equal(Keys.OfObject(new DataContent(new byte[] { 1 }, "image/png")), Keys.OfObject(new DataContent("data:image/png;base64,AQ==")));
    }

    [Fact]
    public void FunctionDeclarations_AreKeyedByWhatTheModelSees()
    {
        JsonElement Schema(string type) => JsonDocument.Parse("{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"" + type + "\"}}}").RootElement;
        AIFunctionDeclaration Declaration(string name = "f", string? description = "d", string schema = "string", JsonElement? returns = null) =>
            AIFunctionFactory.CreateDeclaration(name, description, Schema(schema), returns);
        string baseline = Keys.OfObject(Declaration());
        Assert.Equal(baseline, Keys.OfObject(Declaration()));
        Assert.NotEqual(baseline, Keys.OfObject(Declaration(name: "g")));
        Assert.NotEqual(baseline, Keys.OfObject(Declaration(description: "e")));
        Assert.NotEqual(baseline, Keys.OfObject(Declaration(description: null)));
        Assert.NotEqual(baseline, Keys.OfObject(Declaration(schema: "number")));
        Assert.NotEqual(baseline, Keys.OfObject(Declaration(returns: Schema("number"))));

        AIFunction weather = AIFunctionFactory.Create((string city) => city, "weather", "Weather");
        AIFunction strict = AIFunctionFactory.Create((string city) => city, new AIFunctionFactoryOptions
        {
            Name = "weather",
            Description = "Weather",
            AdditionalProperties = new Dictionary<string, object?> { ["strict"] = true },
        });
        Assert.NotEqual(Keys.OfObject(weather), Keys.OfObject(strict));
        // Approval changes what the invoking client does with a call: the wrapper's type is keyed.
        Assert.NotEqual(Keys.OfObject(weather), Keys.OfObject(new ApprovalRequiredAIFunction(weather)));
        Assert.NotEqual(Keys.OfObject(new ApprovalRequiredAIFunction(weather)), Keys.OfObject(new ApprovalRequiredAIFunction(strict)));
        Assert.NotEqual(Keys.OfObject(new ApprovalRequiredAIFunction(weather)),
            Keys.OfObject(new ApprovalRequiredAIFunction(AIFunctionFactory.Create((string city) => city, "weather", "Weather in a city"))));
        // The delegate behind a function is local behaviour, not part of what the model sees.
        Assert.Equal(Keys.OfObject(weather), Keys.OfObject(AIFunctionFactory.Create((string city) => city + "!", "weather", "Weather")));
    }

    // ---- instances that differ in one property -------------------------------------------------

    private static (object A, object B)? Variants(Type type, PropertyInfo property)
    {
        if (property.SetMethod is { IsPublic: true })
        {
            object? a = Construct(type, null, 0);
            object? b = Construct(type, null, 0);
            if (a is null || b is null)
            {
                return null;
            }
            property.SetValue(a, Sample(property.PropertyType, property.Name, 0));
            property.SetValue(b, Sample(property.PropertyType, property.Name, 1));
            return (a, b);
        }
        string parameter = property.Name;
        if (Construct(type, parameter, 0) is { } first && Construct(type, parameter, 1) is { } second)
        {
            return (first, second);
        }
        return null;
    }

    /// <summary>An instance built with the first constructor that works; the parameter named <paramref name="vary"/> takes variant <paramref name="variant"/>.</summary>
    private static object? Construct(Type type, string? vary, int variant)
    {
        IEnumerable<ConstructorInfo> constructors = type.GetConstructors()
            .OrderByDescending(c => vary is not null && c.GetParameters().Any(p => Same(p.Name, vary)))
            .ThenByDescending(c => c.GetParameters().Length)
            .ThenByDescending(c => c.GetParameters().Any(p => p.ParameterType == typeof(ReadOnlyMemory<byte>)));
        foreach (ConstructorInfo constructor in constructors)
        {
            ParameterInfo[] parameters = constructor.GetParameters();
            if (vary is not null && !parameters.Any(p => Same(p.Name, vary)))
            {
                return null;
            }
            try
            {
                object?[] arguments = parameters.Select(p => Sample(p.ParameterType, p.Name!, Same(p.Name, vary) ? variant : 0)).ToArray();
                return constructor.Invoke(arguments);
            }
            catch (TargetInvocationException)
            {
                // e.g. a string that is not a data URI: try the next constructor.
            }
        }
        return null;
    }

    private static bool Same(string? parameter, string? property) => string.Equals(parameter, property, StringComparison.OrdinalIgnoreCase);

    private static object? FactoryA<T>(T client) => "a";

    /// <summary>Two different values of <paramref name="type"/> (variant 0 and 1).</summary>
    private static object? Sample(Type type, string name, int variant)
    {
        bool first = variant == 0;
        Type bare = Nullable.GetUnderlyingType(type) ?? type;
        if (bare == typeof(string))
        {
            return name.Contains("MediaType", StringComparison.OrdinalIgnoreCase) ? (first ? "image/png" : "image/jpeg")
                : name.Contains("Address", StringComparison.OrdinalIgnoreCase) || name.Equals("uri", StringComparison.OrdinalIgnoreCase)
                    ? (first ? "https://a.example/x" : "https://a.example/y")
                : first ? "a" : "b";
        }
        if (bare.IsEnum)
        {
            return Enum.GetValues(bare).GetValue(first ? 0 : 1);
        }
        if (bare == typeof(int) || bare == typeof(long) || bare == typeof(float) || bare == typeof(double))
        {
            return Convert.ChangeType(first ? 1 : 2, bare, System.Globalization.CultureInfo.InvariantCulture);
        }
        if (bare == typeof(bool))
        {
            return !first;
        }
        if (bare == typeof(DateTimeOffset))
        {
            return first ? DateTimeOffset.UnixEpoch : DateTimeOffset.UnixEpoch.AddDays(1);
        }
        if (bare == typeof(System.Drawing.Size))
        {
            return first ? new System.Drawing.Size(1, 1) : new System.Drawing.Size(2, 2);
        }
        if (bare == typeof(Uri))
        {
            return new Uri(first ? "https://a.example/x" : "https://a.example/y");
        }
        if (bare == typeof(JsonElement))
        {
            return JsonDocument.Parse(first ? """{"type":"object"}""" : """{"type":"string"}""").RootElement;
        }
        if (bare == typeof(ReadOnlyMemory<byte>))
        {
            return new ReadOnlyMemory<byte>([first ? (byte)1 : (byte)2]);
        }
        if (bare == typeof(ChatRole))
        {
            return first ? ChatRole.User : ChatRole.Assistant;
        }
        if (type == typeof(object))
        {
            return first ? "a" : "b";
        }
        if (type == typeof(Exception))
        {
            return new InvalidOperationException(first ? "a" : "b");
        }
        if (type == typeof(IList<string>))
        {
            return new List<string> { first ? "a" : "b" };
        }
        if (type == typeof(IList<AIContent>))
        {
            return new List<AIContent> { new TextContent(first ? "a" : "b") };
        }
        if (type == typeof(IList<AITool>))
        {
            return new List<AITool> { first ? new HostedWebSearchTool() : new HostedCodeInterpreterTool() };
        }
        if (type == typeof(IList<AIAnnotation>))
        {
            return new List<AIAnnotation> { new CitationAnnotation { Title = first ? "a" : "b" } };
        }
        if (type == typeof(IList<AnnotatedRegion>))
        {
            return new List<AnnotatedRegion> { new TextSpanAnnotatedRegion { StartIndex = first ? 1 : 2 } };
        }
        if (type == typeof(AdditionalPropertiesDictionary) || type == typeof(IDictionary<string, object?>) || type == typeof(IReadOnlyDictionary<string, object?>))
        {
            return new AdditionalPropertiesDictionary { ["k"] = first ? 1 : 2 };
        }
        if (type == typeof(IDictionary<string, string>))
        {
            return new Dictionary<string, string> { ["Authorization"] = first ? "Bearer a" : "Bearer b" };
        }
        if (type == typeof(AdditionalPropertiesDictionary<long>))
        {
            return new AdditionalPropertiesDictionary<long> { ["k"] = first ? 1 : 2 };
        }
        if (type == typeof(ToolCallContent))
        {
            return new FunctionCallContent("c", first ? "a" : "b");
        }
        if (type == typeof(UsageDetails))
        {
            return new UsageDetails { InputTokenCount = first ? 1 : 2 };
        }
        if (type == typeof(ImageGenerationOptions))
        {
            return new ImageGenerationOptions { Count = first ? 1 : 2 };
        }
        if (type == typeof(HostedMcpServerToolApprovalMode))
        {
            return first ? HostedMcpServerToolApprovalMode.AlwaysRequire : HostedMcpServerToolApprovalMode.NeverRequire;
        }
        if (type == typeof(ChatResponseFormat))
        {
            return first ? ChatResponseFormat.Text : ChatResponseFormat.Json;
        }
        if (type == typeof(ChatToolMode))
        {
            return first ? ChatToolMode.Auto : ChatToolMode.None;
        }
        if (type == typeof(ReasoningOptions))
        {
            return new ReasoningOptions { Effort = first ? ReasoningEffort.Low : ReasoningEffort.High };
        }
        if (type == typeof(ResponseContinuationToken))
        {
            return ResponseContinuationToken.FromBytes(new byte[] { first ? (byte)1 : (byte)2 });
        }
        if (typeof(Delegate).IsAssignableFrom(type) && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Func<,>))
        {
            // A static method: keyed by its identity. Variant 0 has none.
            MethodInfo factory = typeof(AIKeyCoverageTests).GetMethod(nameof(FactoryA), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(type.GetGenericArguments()[0]);
            return first ? null : Delegate.CreateDelegate(type, factory);
        }
        throw new InvalidOperationException($"No sample values for {type} ({name}); add them to the test.");
    }
}
