using BrowserIsolation.Runner.Policy;
using BrowserIsolation.Runner.Uploads;
using Microsoft.AspNetCore.Http.Features;

namespace BrowserIsolation.Runner.Apis;

/// <summary>
/// <c>POST /uploads/{chooserId}</c> (multipart/form-data, one or more files): answers a page's file chooser. The files
/// are kept in the runner's work directory within the session's <see cref="UploadQuota"/> and deleted once handed over
/// (<see cref="UploadStore"/>). <c>DELETE /uploads/{chooserId}</c> dismisses it.
/// </summary>
public static class UploadsApi
{
    public static IEndpointRouteBuilder MapUploadsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/uploads/{chooserId}", UploadAsync);
        app.MapDelete("/uploads/{chooserId}", (string chooserId, FileChooserBroker broker) => broker.Cancel(chooserId)
            ? Results.NoContent()
            : Problem(404, "chooser_not_found", "there is no open file chooser with this id"));
        return app;
    }

    private static async Task<IResult> UploadAsync(string chooserId, HttpContext context, FileChooserBroker broker, UrlPolicyHolder policy,
        UploadLimit uploadLimit, UploadStore store, ILoggerFactory loggers)
    {
        var limit = uploadLimit.Bytes;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = limit + 64 * 1024; // room for the multipart framing
        }
        if (!policy.Current.AllowUploads)
        {
            return Problem(403, "upload_blocked", "the session's policy does not allow uploading files");
        }
        if (broker.Find(chooserId) is not { } chooser)
        {
            return Problem(404, "chooser_not_found", "there is no open file chooser with this id (it was answered, or the page went away)");
        }
        if (!context.Request.HasFormContentType)
        {
            return Problem(400, "multipart_required", "send the files as multipart/form-data");
        }
        if (context.Request.ContentLength > limit + 64 * 1024)
        {
            return Problem(413, "upload_too_large", $"uploads are limited to {limit} bytes");
        }
        IFormFileCollection files;
        try
        {
            var form = await context.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = limit, ValueCountLimit = 64 }, context.RequestAborted);
            files = form.Files;
        }
        catch (Exception ex) when (ex is InvalidDataException or BadHttpRequestException or IOException)
        {
            return Problem(ex is BadHttpRequestException { StatusCode: 413 } || ex.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400,
                "invalid_upload", $"the upload could not be read: {ex.Message}");
        }
        if (files.Count == 0)
        {
            return Problem(400, "no_files", "the form holds no file");
        }
        if (files.Count > 1 && !chooser.Multiple)
        {
            return Problem(400, "single_file", "this file input takes one file");
        }
        if (files.Sum(f => f.Length) > limit)
        {
            return Problem(413, "upload_too_large", $"uploads are limited to {limit} bytes");
        }
        var (root, refusal) = store.Reserve(chooserId, chooser.SessionId, files.Count, files.Sum(f => f.Length));
        if (root is null)
        {
            return Problem(413, "upload_quota", refusal!);
        }
        try
        {
            var paths = new List<string>();
            for (var i = 0; i < files.Count; i++)
            {
                // One folder per file, so the page sees the user's own file name.
                var folder = Directory.CreateDirectory(Path.Combine(root, i.ToString())).FullName;
                var path = Path.Combine(folder, SafeName(files[i].FileName));
                await using (var target = File.Create(path))
                {
                    await files[i].CopyToAsync(target, context.RequestAborted);
                }
                paths.Add(path);
            }
            await broker.AnswerAsync(chooser, paths, context.RequestAborted);
            store.HandedOver(chooserId);
        }
        catch (Cdp.CdpException ex)
        {
            store.Release(chooserId);
            loggers.CreateLogger("BrowserIsolation.Runner.Uploads").LogInformation("File chooser {Id} could not take the files: {Message}", chooserId, ex.Message);
            return Problem(409, "chooser_gone", "the page's file input is gone");
        }
        catch
        {
            store.Release(chooserId);
            throw;
        }
        return Results.Ok(new { chooserId, files = files.Select(f => new { name = SafeName(f.FileName), size = f.Length }) });
    }

    /// <summary>The file's own name without any directory part or characters a file system or a page could trip on.</summary>
    internal static string SafeName(string? name)
    {
        var leaf = (name ?? "").Replace('\\', '/').Split('/').LastOrDefault() ?? "";
        var invalid = Path.GetInvalidFileNameChars();
        var clean = new string([.. leaf.Where(c => !char.IsControl(c) && !invalid.Contains(c))]).Trim().TrimStart('.');
        if (clean.Length > 200)
        {
            clean = clean[^200..];
        }
        return clean.Length == 0 ? "upload" : clean;
    }

    private static IResult Problem(int status, string code, string detail) => Results.Problem(detail: detail, statusCode: status,
        title: status switch { 400 => "Invalid request", 403 => "Blocked by policy", 404 => "Not found", 413 => "Too large", _ => "Not possible now" },
        extensions: new Dictionary<string, object?> { ["code"] = code });
}
