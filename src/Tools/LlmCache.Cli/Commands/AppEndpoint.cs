using System.Net.Http.Headers;
using System.Text.Json;

namespace LlmCache.Cli.Commands;

/// <summary>A running app's LlmCache endpoints (<c>app.MapLlmCache("/llmcache")</c>), reached over HTTP.</summary>
internal static class AppEndpoint
{
    /// <summary>GETs <c>{url}/{path}</c> and returns the JSON answer; an error status or an unreachable app is a <see cref="CliException"/>.</summary>
    public static Task<JsonDocument> GetAsync(string url, string path, IReadOnlyList<string> headers, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, url, path, null, headers, cancellationToken);

    /// <summary>Sends <paramref name="method"/> to <c>{url}/{path}</c> (with a JSON body when given) and returns the JSON answer.</summary>
    public static async Task<JsonDocument> SendAsync(HttpMethod method, string url, string path, object? body, IReadOnlyList<string> headers,
        CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url.TrimEnd('/') + "/" + path, UriKind.Absolute, out Uri? address) || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"--url must be an http(s) address, e.g. http://localhost:5080/llmcache (got '{url}')");
        }
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(method, address);
        if (body is not null)
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(body, options: CliContext.JsonOptions);
        }
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (string header in headers)
        {
            int colon = header.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !request.Headers.TryAddWithoutValidation(header[..colon].Trim(), header[(colon + 1)..].Trim()))
            {
                throw new CliException($"--header must be 'Name: value' (got '{header}')");
            }
        }
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new CliException($"{address} did not answer: {ex.Message}", ExitCodes.Failed, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliException($"{address} did not answer within {client.Timeout.TotalSeconds:0} s", ExitCodes.Failed, ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                string hint = response.StatusCode is System.Net.HttpStatusCode.Unauthorized or System.Net.HttpStatusCode.Forbidden
                    ? " (the endpoints require authorization: pass --header \"Authorization: Bearer …\")" : "";
                throw new CliException($"{address} answered {(int)response.StatusCode} {response.ReasonPhrase}{hint}", ExitCodes.Failed);
            }
            string answer = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return JsonDocument.Parse(answer.Length == 0 ? "{}" : answer);
            }
            catch (JsonException ex)
            {
                throw new CliException($"{address} did not answer JSON: {ex.Message}", ExitCodes.Failed, ex);
            }
        }
    }
}
