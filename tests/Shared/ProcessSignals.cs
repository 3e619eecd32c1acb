using System.Diagnostics;

namespace LlmCache.Testing;

/// <summary>POSIX signals to the servers the fixtures start: pause (STOP), resume (CONT), kill (KILL).</summary>
internal static class ProcessSignals
{
    /// <summary>Sends <paramref name="signal"/> (a name such as <c>STOP</c>) to <paramref name="pid"/> and waits for <c>kill</c> to finish.</summary>
    public static void Send(int pid, string signal)
    {
        using Process kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { RedirectStandardError = true })!;
        kill.WaitForExit(5_000);
    }
}
