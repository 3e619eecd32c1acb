using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LlmCache.Generators.Tests;

/// <summary>
/// A provider SDK compiled in the test: the assembly <c>[assembly: LlmCacheCalls]</c> names methods of.
/// It stands alone (its own <c>System.ClientModel</c> look-alikes, matched by name as the real ones are),
/// so every consumer compiled against it sees a method it does not own, as with a NuGet package.
/// </summary>
internal static class FakeSdk
{
    public const string Source = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;

        namespace System.ClientModel
        {
            public abstract class BinaryContent { }
            public class ClientResult { }
        }

        namespace System.ClientModel.Primitives
        {
            public class RequestOptions
            {
                public int Retries { get; set; }
            }
        }

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
                    Task.FromResult(new System.ClientModel.ClientResult());

                public Task<Completion> RewriteAsync(string prompt, Func<string, string> filter) => Task.FromResult(new Completion(filter(prompt), 1));

                public Task ResetAsync() => Task.CompletedTask;
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

            public static class Moderation
            {
                public static Task<bool> CheckAsync(string text, CancellationToken ct = default) => Task.FromResult(true);
            }
        }
        """;

    /// <summary>The compiled SDK, as a package's assembly would be referenced.</summary>
    public static readonly MetadataReference Reference = Build("FakeSdk", Source);

    /// <summary>Compiles <paramref name="source"/> into an assembly and returns a reference to its image.</summary>
    public static MetadataReference Build(string name, string source, params MetadataReference[] references)
    {
        CSharpCompilation library = CSharpCompilation.Create(name, [CSharpSyntaxTree.ParseText(source)], Net100.References.All.Concat(references),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        using var image = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = library.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        return MetadataReference.CreateFromImage(image.ToArray());
    }
}
