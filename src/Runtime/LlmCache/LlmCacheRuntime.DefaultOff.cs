namespace LlmCache;

// LiteLLM's mode: default_off. A call that does not opt in (CacheControl.Use = true) is bypassed; a
// call that opts out (Use = false) is bypassed whatever the option. Replay keeps its own rule: a
// replayed call never reaches its method, so default-off does not apply there.
public sealed partial class LlmCacheRuntime
{
    /// <summary>A call's combined controls under <see cref="LlmCacheOptions.DefaultOff"/> and <see cref="CacheControl.Use"/>.</summary>
    private CacheControl? ForDefaultOff(CacheControl? control)
    {
        if (control is { Bypass: true })
        {
            return control;
        }
        bool use = control?.Use ?? (!Options.DefaultOff || Options.Mode == LlmCacheMode.Replay);
        if (use)
        {
            return control;
        }
        return control is null ? DefaultOffBypass : control with { Bypass = true };
    }

    private static readonly CacheControl DefaultOffBypass = new() { Bypass = true };
}
