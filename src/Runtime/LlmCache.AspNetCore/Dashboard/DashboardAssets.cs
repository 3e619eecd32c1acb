using System.Reflection;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace LlmCache.AspNetCore;

/// <summary>
/// The dashboard's page, script and style sheet, embedded in this assembly and served under the
/// endpoints' prefix. The page names its assets with their content hash (<c>assets/dashboard.js?v=…</c>),
/// so they can be cached for a year while the page itself is revalidated on every visit (ETag).
/// </summary>
internal static class DashboardAssets
{
    private static readonly Lazy<IReadOnlyDictionary<string, Asset>> All = new(Load);

    /// <summary>The page.</summary>
    public static Asset Page => All.Value["index.html"];

    /// <summary>An asset by file name (<c>dashboard.js</c>, <c>dashboard.css</c>), or null.</summary>
    public static Asset? Find(string name) => All.Value.TryGetValue(name, out Asset? asset) && name != "index.html" ? asset : null;

    private static Dictionary<string, Asset> Load()
    {
        Assembly assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (string name in new[] { "dashboard.js", "dashboard.css" })
        {
            assets[name] = Read(assembly, name, name.EndsWith(".js", StringComparison.Ordinal) ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8", null);
        }
        assets["index.html"] = Read(assembly, "index.html", "text/html; charset=utf-8",
            page => page.Replace("{{css-version}}", assets["dashboard.css"].ETag.Trim('"'), StringComparison.Ordinal)
                        .Replace("{{js-version}}", assets["dashboard.js"].ETag.Trim('"'), StringComparison.Ordinal));
        return assets;
    }

    private static Asset Read(Assembly assembly, string name, string contentType, Func<string, string>? edit)
    {
        using Stream stream = assembly.GetManifestResourceStream("LlmCache.AspNetCore.Dashboard." + name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded in {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        string text = reader.ReadToEnd();
        if (edit is not null)
        {
            text = edit(text);
        }
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
        string etag = "\"" + Convert.ToHexString(SHA256.HashData(bytes).AsSpan(0, 8)).ToLowerInvariant() + "\"";
        return new Asset(bytes, contentType, etag);
    }

    /// <summary>One embedded file.</summary>
    /// <param name="Bytes">Its UTF-8 content.</param>
    /// <param name="ContentType">Its media type.</param>
    /// <param name="ETag">A strong validator derived from its content.</param>
    internal sealed record Asset(byte[] Bytes, string ContentType, string ETag)
    {
        /// <summary>Writes the file, or 304 when the client holds this version.</summary>
        public IResult Serve(HttpContext context, string cacheControl)
        {
            HttpResponse response = context.Response;
            response.Headers.CacheControl = cacheControl;
            response.Headers.ETag = ETag;
            response.Headers.XContentTypeOptions = "nosniff";
            if (context.Request.Headers.IfNoneMatch.Contains(ETag))
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }
            return Results.Bytes(Bytes, ContentType);
        }
    }
}
