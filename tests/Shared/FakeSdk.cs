using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LlmCache.Testing;

/// <summary>
/// A provider SDK compiled in the test: the assembly <c>[assembly: LlmCacheCalls]</c> names methods of.
/// It is built on the real System.ClientModel (<c>RequestOptions</c>, <c>BinaryContent</c>, <c>ClientResult</c>),
/// so every consumer compiled against it sees a method it does not own, as with a NuGet package.
/// </summary>
internal static class FakeSdk
{
    public const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        namespace FakeSdk
        {
            public enum Role { System, User, Assistant }

            public sealed record Message(Role Role, string Text);

            public sealed class Options
            {
                public double Temperature { get; set; }
                public int MaxTokens { get; set; } = 256;
            }

            public sealed record Completion(string Text, int Tokens);

            public abstract class ClientBase
            {
                protected ClientBase(Uri endpoint) => Endpoint = endpoint;

                public Uri Endpoint { get; }

                public System.Net.Http.HttpClient Transport { get; } = new();
            }

            public interface ICompletions
            {
                string Model { get; }

                Task<Completion> CreateAsync(string prompt, CancellationToken ct = default);
            }

            public class ChatClient : ClientBase
            {
                public const string DefaultModel = "fake-1";

                public ChatClient(string model, Uri endpoint) : base(endpoint) => Model = model;

                public string Model { get; }

                public string Name { get; set; } = "chat";

                public ICompletions Completions => new CompletionsClient(Model);

                public event EventHandler? Completed;

                public virtual Task<Completion> CompleteAsync(IEnumerable<Message> messages, Options? options = null, CancellationToken ct = default)
                {
                    Completed?.Invoke(this, EventArgs.Empty);
                    return Task.FromResult(new Completion(Model, 1));
                }

                public Task<Completion> CompleteAsync(params Message[] messages) => CompleteAsync((IEnumerable<Message>)messages);

                public Completion Complete(IEnumerable<Message> messages, Options? options = null) => new(Model, 1);

                public string Translate(string text, string language) => text;

                public ValueTask<string> Translate(string text, string language, CancellationToken ct) => new(text);

                public IAsyncEnumerable<string> StreamAsync(IEnumerable<Message> messages, CancellationToken ct = default) => throw new NotSupportedException();

                public Task<Completion> SendAsync(string prompt, System.ClientModel.Primitives.RequestOptions? options = null) => Task.FromResult(new Completion(prompt, 1));

                public Task<System.ClientModel.ClientResult> SendAsync(System.ClientModel.BinaryContent content, System.ClientModel.Primitives.RequestOptions? options = null) =>
                    throw new NotSupportedException();

                public Task<Completion> RewriteAsync(string prompt, Func<string, string> filter) => Task.FromResult(new Completion(filter(prompt), 1));

                public Task ResetAsync() => Task.CompletedTask;
            }

            // A client of a hosted deployment: the SDK's own subclass, which adds identity of its own.
            public sealed class DeploymentChatClient(string model, Uri endpoint, string deployment) : ChatClient(model, endpoint)
            {
                public string Deployment { get; } = deployment;
            }

            internal sealed class CompletionsClient(string model) : ICompletions
            {
                public string Model => model;

                public Task<Completion> CreateAsync(string prompt, CancellationToken ct = default) => Task.FromResult(new Completion(prompt, 1));
            }

            public sealed class Pager<T>
            {
                public Task<T[]> NextAsync(int page) => Task.FromResult(Array.Empty<T>());
            }

            // A client whose region is a preview feature, and a method that is one.
            public sealed class PreviewClient(string model)
            {
                public string Model { get; } = model;

                [System.Diagnostics.CodeAnalysis.Experimental("FAKE001")]
                public string Region { get; } = "eu";

                [System.Diagnostics.CodeAnalysis.Experimental("FAKE002")]
                public Task<Completion> AskAsync(string prompt) => Task.FromResult(new Completion(prompt, 1));
            }

            public static class Moderation
            {
                public static Task<bool> CheckAsync(string text, CancellationToken ct = default) => Task.FromResult(true);
            }
        }
        """;


    /// <summary>
    /// An SDK built on the real System.ClientModel: a request model that writes its own JSON
    /// (<c>IJsonModel&lt;T&gt;</c>), a value with its own <c>[JsonConverter]</c>, <c>RequestOptions</c>,
    /// and a protocol overload (raw <c>BinaryContent</c> in, untyped <c>ClientResult</c> out).
    /// </summary>
    public const string ModelSource = """
        using System;
        using System.ClientModel;
        using System.ClientModel.Primitives;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Threading.Tasks;

        namespace ModelSdk
        {
            public sealed class Prompt(string text) : IJsonModel<Prompt>
            {
                public string Text { get; } = text;

                public void Write(Utf8JsonWriter writer, ModelReaderWriterOptions options)
                {
                    writer.WriteStartObject();
                    writer.WriteString("text", Text);
                    writer.WriteEndObject();
                }

                public Prompt Create(ref Utf8JsonReader reader, ModelReaderWriterOptions options)
                {
                    using JsonDocument document = JsonDocument.ParseValue(ref reader);
                    return new Prompt(document.RootElement.GetProperty("text").GetString()!);
                }

                public BinaryData Write(ModelReaderWriterOptions options) => BinaryData.FromString("{\"text\":" + JsonSerializer.Serialize(Text) + "}");

                public Prompt Create(BinaryData data, ModelReaderWriterOptions options) =>
                    new(JsonDocument.Parse(data.ToString()).RootElement.GetProperty("text").GetString()!);

                public string GetFormatFromOptions(ModelReaderWriterOptions options) => "J";
            }

            [JsonConverter(typeof(StyleConverter))]
            public sealed class Style(string name)
            {
                public string Name { get; } = name;
            }

            public sealed class StyleConverter : JsonConverter<Style>
            {
                public override Style Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => new(reader.GetString()!);

                public override void Write(Utf8JsonWriter writer, Style value, JsonSerializerOptions options) => writer.WriteStringValue(value.Name);
            }

            public sealed record Answer(string Text);

            public sealed class ModelClient(string model)
            {
                public string Model { get; } = model;

                public Task<Answer> AskAsync(Prompt prompt, Style style, RequestOptions? options = null) => Task.FromResult(new Answer(prompt.Text + style.Name));

                public Task<ClientResult> AskAsync(BinaryContent content, RequestOptions? options = null) => throw new NotSupportedException();
            }
        }
        """;

    /// <summary>The assemblies of System.ClientModel, which <see cref="ModelSource"/> and its consumers compile against.</summary>
    public static readonly MetadataReference[] ClientModel =
    [
        MetadataReference.CreateFromFile(typeof(System.ClientModel.BinaryContent).Assembly.Location),
        MetadataReference.CreateFromFile(typeof(BinaryData).Assembly.Location),
    ];

    /// <summary>The compiled SDK, as a package's assembly would be referenced.</summary>
    public static readonly MetadataReference Reference = Build("FakeSdk", Source, ClientModel);

    /// <summary>The compiled <see cref="ModelSource"/>.</summary>
    public static readonly MetadataReference ModelReference = Build("ModelSdk", ModelSource, ClientModel);

    /// <summary>Compiles <paramref name="source"/> into an assembly and returns a reference to its image.</summary>
    public static MetadataReference Build(string name, string source, params MetadataReference[] references)
    {
        CSharpCompilation library = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)], Net100.References.All.Concat(references),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = library.Emit(image);
        if (!emitted.Success)
        {
            throw new InvalidOperationException(name + " does not compile:\n" + string.Join("\n", emitted.Diagnostics));
        }
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
