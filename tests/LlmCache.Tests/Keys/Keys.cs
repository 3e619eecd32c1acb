namespace LlmCache.Tests.Keys;

/// <summary>Builds keys straight with <see cref="KeyWriter"/>, as generated code does.</summary>
internal static class Keys
{
    public static string Of(Action<KeyWriter> write, string prefix = "")
    {
        KeyWriter writer = KeyWriter.Rent(prefix);
        try
        {
            write(writer);
            return writer.Complete();
        }
        finally
        {
            writer.Dispose();
        }
    }

    public static string OfObject(object? value) => Of(w => w.WriteObject(value));
}
