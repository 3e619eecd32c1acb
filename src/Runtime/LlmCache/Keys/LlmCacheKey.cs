using System.ComponentModel;

namespace LlmCache;

/// <summary>
/// The key of one call of an <see cref="LlmCachedAttribute"/> method with given arguments, as the generated
/// typed key API returns it: <c>LlmCacheKeys.{Type}_{Method}(arguments)</c>. Nobody re-derives a hash by
/// hand: the key is built by the method's own generated key writer, against the runtime it is asked for.
/// </summary>
/// <example>
/// <code>
/// LlmCacheKey call = LlmCacheKeys.SupportAgent_AnswerAsync(model, messages, options);
/// string key = call.Key(runtime);
/// Console.WriteLine(call.Explain(runtime)); // names and sizes, never values
/// await call.EvictAsync(runtime);
/// </code>
/// </example>
public abstract class LlmCacheKey
{
    private protected LlmCacheKey()
    {
    }

    /// <summary>The key this call reads and writes through <paramref name="runtime"/> (its namespace, tenant and key secret apply).</summary>
    /// <param name="runtime">The runtime whose options shape the key.</param>
    public abstract string Key(LlmCacheRuntime runtime);

    /// <summary>Which parameters went into the key and how large each was, without their values.</summary>
    /// <param name="runtime">The runtime whose options shape the key.</param>
    public abstract KeyExplanation Explain(LlmCacheRuntime runtime);

    /// <summary>Removes the entry this call would read; false while a tier could not be reached (retried in the background).</summary>
    /// <param name="runtime">The runtime whose levels hold the entry.</param>
    /// <param name="cancellationToken">Cancels the removal.</param>
    public abstract ValueTask<bool> EvictAsync(LlmCacheRuntime runtime, CancellationToken cancellationToken = default);

    /// <summary>A call's key from the method's descriptor, its arguments and its key writers (generated code only).</summary>
    /// <typeparam name="TState">The call's arguments, as the generated code carries them.</typeparam>
    /// <param name="method">The method's descriptor.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="writeKey">The method's key writer.</param>
    /// <param name="writeTenant">The method's tenant writer, or null.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static LlmCacheKey Of<TState>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(writeKey);
        return new Call<TState>(method, state, writeKey, writeTenant);
    }

    private sealed class Call<TState>(LlmCachedMethod method, TState state, KeyBuilder<TState> writeKey, KeyBuilder<TState>? writeTenant) : LlmCacheKey
    {
        public override string Key(LlmCacheRuntime runtime)
        {
            ArgumentNullException.ThrowIfNull(runtime);
            return runtime.ComputeKey(method, in state, writeKey, writeTenant);
        }

        public override KeyExplanation Explain(LlmCacheRuntime runtime)
        {
            ArgumentNullException.ThrowIfNull(runtime);
            return runtime.ExplainKey(method, in state, writeKey, writeTenant);
        }

        public override ValueTask<bool> EvictAsync(LlmCacheRuntime runtime, CancellationToken cancellationToken = default)
        {
            ArgumentNullException.ThrowIfNull(runtime);
            return runtime.EvictAsync(method, in state, writeKey, writeTenant, cancellationToken);
        }

        public override string ToString() => method.Name;
    }
}
