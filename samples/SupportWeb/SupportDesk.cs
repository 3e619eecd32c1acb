using System.Diagnostics;
using LlmCache;
using Microsoft.Extensions.AI;

namespace SupportWeb;

/// <summary>The body of <c>POST /ask</c>.</summary>
/// <param name="Question">The customer's question.</param>
/// <param name="UserId">Who asks (not part of the cache key).</param>
public sealed record AskRequest(string? Question, string? UserId);

/// <summary>The answer of <c>POST /ask</c>.</summary>
/// <param name="Answer">The bot's answer.</param>
/// <param name="Queue">The support queue the question belongs to.</param>
/// <param name="Cached">Whether the answer came from the cache.</param>
/// <param name="TriageCached">Whether the triage came from the cache.</param>
/// <param name="Model">The model that answered.</param>
/// <param name="TokensSaved">Input and output tokens this request did not spend.</param>
/// <param name="CostSaved">What this request did not spend, at the price table's prices.</param>
/// <param name="ElapsedMs">How long the request took.</param>
public sealed record AskResponse(string Answer, string Queue, bool Cached, bool TriageCached, string Model, long TokensSaved, decimal CostSaved, double ElapsedMs);

/// <summary>Runs one customer request: triage, then the answer, and reports what the cache did.</summary>
public sealed class SupportDesk(SupportAgent agent)
{
    public async Task<AskResponse> AskAsync(AskRequest request, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        string question = request.Question!.Trim();
        using CacheProbe probe = LlmCacheScope.Observe();
        ChatResponse triage = await agent.TriageAsync(SupportAgent.TriageModel, question, cancellationToken);
        bool triageCached = probe.Last?.Hit == true;
        ChatResponse answer = await agent.AnswerAsync(SupportAgent.AnswerModel, SupportAgent.Conversation(question), request.UserId ?? "anonymous", cancellationToken);
        bool cached = probe.Last?.Hit == true;
        long tokens = 0;
        decimal cost = 0;
        foreach (CacheOutcome outcome in probe.Outcomes)
        {
            tokens += outcome.InputTokensSaved + outcome.OutputTokensSaved;
            cost += outcome.CostSaved ?? 0;
        }
        return new AskResponse(answer.Text, triage.Text, cached, triageCached, answer.ModelId ?? SupportAgent.AnswerModel, tokens, cost,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2));
    }
}
