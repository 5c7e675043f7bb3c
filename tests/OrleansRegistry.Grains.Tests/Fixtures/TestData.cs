using System.Security.Cryptography;
using System.Text;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;

namespace OrleansRegistry.Grains.Tests.Fixtures;

public static class TestData
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";

    /// <summary>A well-formed sha256 digest derived from <paramref name="seed"/>.</summary>
    public static string Digest(string seed) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(seed)));

    public static string UniqueName(string prefix = "repo") => $"{prefix}/{Guid.NewGuid():N}";

    public static ManifestRecord Manifest(
        string seed,
        string[]? blobs = null,
        string[]? children = null,
        string? subject = null,
        string? artifactType = null,
        Dictionary<string, string>? annotations = null)
    {
        var digest = Digest(seed);
        return new ManifestRecord
        {
            Digest = digest,
            MediaType = children is { Length: > 0 } ? ImageIndex : ImageManifest,
            Size = 500 + seed.Length,
            Location = $"blobs/sha256/{digest[7..9]}/{digest[7..]}",
            Blobs = blobs ?? [],
            ChildManifests = children ?? [],
            Subject = subject,
            ArtifactType = artifactType,
            Annotations = annotations,
            PushedAt = DateTimeOffset.UnixEpoch.AddDays(seed.Length),
        };
    }

    public static string BlobLocation(string digest) => $"blobs/sha256/{digest[7..9]}/{digest[7..]}";
}

/// <summary>Field-wise comparison (the records hold arrays, which compare by reference).</summary>
public static class ManifestAssert
{
    public static void Same(ManifestRecord expected, ManifestRecord? actual)
    {
        Xunit.Assert.NotNull(actual);
        Xunit.Assert.Equal(expected.Digest, actual.Digest);
        Xunit.Assert.Equal(expected.MediaType, actual.MediaType);
        Xunit.Assert.Equal(expected.Size, actual.Size);
        Xunit.Assert.Equal(expected.Location, actual.Location);
        Xunit.Assert.Equal(expected.Subject, actual.Subject);
        Xunit.Assert.Equal(expected.ArtifactType, actual.ArtifactType);
        Xunit.Assert.Equal(expected.Annotations, actual.Annotations);
        Xunit.Assert.Equal(expected.Blobs, actual.Blobs);
        Xunit.Assert.Equal(expected.ChildManifests, actual.ChildManifests);
        Xunit.Assert.Equal(expected.PushedAt, actual.PushedAt);
    }
}
