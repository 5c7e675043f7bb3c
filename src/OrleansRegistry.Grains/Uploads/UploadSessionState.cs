using OrleansRegistry.Contracts.Uploads;
namespace OrleansRegistry.Grains.Uploads;

/// <summary>
/// The session in grain storage: written when it starts and when it completes. Chunks are recorded
/// in the upload's journal in the blob store; <see cref="Length"/>, <see cref="Parts"/> and
/// <see cref="HashState"/> hold the progress the journal continues from (uploads started by
/// earlier builds recorded every chunk here).
/// </summary>
[GenerateSerializer]
public sealed class UploadSessionState
{
    [Id(0)] public string? Repository { get; set; }
    [Id(1)] public long Length { get; set; }
    [Id(2)] public List<string> Parts { get; set; } = [];
    [Id(3)] public byte[] HashState { get; set; } = [];
    [Id(4)] public string? CompletedDigest { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }
}
