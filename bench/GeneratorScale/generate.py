"""Writes a project for the build-time measurement (bench/GeneratorScale/measure.sh).

scale:     50 services x 10 cached methods, 40 caller files x 50 calls, 5,000 other invocations.
realistic: 5 services x 10 cached methods (50), 10 caller files x 20 calls (200), and about 100,000
           lines of other code (ordinary classes: records, properties, loops, LINQ, string formatting).
"""
import os
import sys

out = sys.argv[1]
profile = sys.argv[2] if len(sys.argv) > 2 else "scale"
os.makedirs(out, exist_ok=True)
if profile == "scale":
    services, methods, callers, calls, others, other_files = 50, 10, 40, 50, 125, 0
else:
    services, methods, callers, calls, others, other_files = 5, 10, 10, 20, 0, 190
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
# Ordinary code: about 400 lines per file.
for f in range(other_files):
    lines = ["using System.Text;", f"namespace Scale.Domain{f % 10};", ""]
    for k in range(12):
        name = f"Entity{f}_{k}"
        lines += [
            f"public sealed record {name}Dto(int Id, string Name, decimal Amount, DateTime At, IReadOnlyList<string> Labels);",
            "",
            f"public sealed class {name}",
            "{",
            "    private readonly List<int> _values = new();",
            "    private readonly Dictionary<string, decimal> _totals = new(StringComparer.Ordinal);",
            "    public int Id { get; init; }",
            "    public string Name { get; set; } = \"\";",
            "    public decimal Amount { get; private set; }",
            "",
            "    public void Add(int value, string category)",
            "    {",
            "        if (value < 0) throw new ArgumentOutOfRangeException(nameof(value));",
            "        _values.Add(value);",
            "        _totals[category] = _totals.TryGetValue(category, out decimal current) ? current + value : value;",
            "        Amount += value;",
            "    }",
            "",
            "    public IEnumerable<int> Above(int threshold) => _values.Where(v => v > threshold).OrderBy(v => v);",
            "",
            "    public string Describe()",
            "    {",
            "        var text = new StringBuilder();",
            "        foreach ((string category, decimal total) in _totals.OrderByDescending(p => p.Value))",
            "        {",
            "            text.Append(category).Append(\": \").Append(total.ToString(\"N2\")).AppendLine();",
            "        }",
            "        return $\"{Name} #{Id}: {Amount:N2}\\n{text}\";",
            "    }",
            "",
            f"    public {name}Dto ToDto() => new(Id, Name, Amount, DateTime.UnixEpoch.AddDays(Id), _totals.Keys.ToList());",
            "",
            "    public static int Checksum(IReadOnlyList<int> values)",
            "    {",
            "        int sum = 0;",
            "        for (int i = 0; i < values.Count; i++)",
            "        {",
            "            sum = unchecked(sum * 31 + values[i]);",
            "            if (i % 7 == 0) sum ^= Math.Abs(values[i]);",
            "        }",
            "        return sum;",
            "    }",
            "}",
            "",
        ]
    open(os.path.join(out, f"Domain{f}.cs"), "w").write("\n".join(lines) + "\n")
open(os.path.join(out, "Plain.cs"), "w").write("namespace Scale; internal static class Plain { internal static int Value() => 1; }\n")
