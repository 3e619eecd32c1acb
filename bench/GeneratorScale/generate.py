"""Writes the scale project: 50 services x 10 cached methods, 40 caller files x 50 calls, 5,000 other invocations."""
import os
import sys

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
services, methods, callers, calls, others = 50, 10, 40, 50, 125
for s in range(services):
    lines = ["using LlmCache;", "namespace Scale;",
             f"public sealed record Request{s}(string Prompt, int Level, List<string> Tags);",
             f"internal sealed class Service{s}", "{"]
    for m in range(methods):
        lines.append(f'    [LlmCached(Ttl = "{m + 1}m")] internal Task<string> Ask{s}_{m}Async(Request{s} request, string model, double temperature) => Task.FromResult(model);')
    lines += ["    internal static int Helper(int x) => x + 1;", "}"]
    open(os.path.join(out, f"Service{s}.cs"), "w").write("\n".join(lines) + "\n")
for f in range(callers):
    lines = ["namespace Scale;", f"internal static class Callers{f}", "{", "    internal static async Task<int> RunAsync()", "    {", "        int total = 0;"]
    for c in range(calls):
        s, m = (f * calls + c) % services, (f + c) % methods
        lines.append(f'        total += (await new Service{s}().Ask{s}_{m}Async(new Request{s}("p{c}", {c}, ["t"]), "gpt", 0.{c % 10})).Length;')
    for o in range(others):
        lines.append(f"        total += Service{o % services}.Helper({o}) + Math.Max({o}, total);")
    lines += ["        return total;", "    }", "}"]
    open(os.path.join(out, f"Callers{f}.cs"), "w").write("\n".join(lines) + "\n")
open(os.path.join(out, "Plain.cs"), "w").write("namespace Scale; internal static class Plain { internal static int Value() => 1; }\n")
