using Xunit;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansRegistry.Grains.Auth;
using OrleansRegistry.Contracts.Auth;
using OrleansRegistry.Grains.Blobs;
using OrleansRegistry.Contracts.Blobs;
using OrleansRegistry.Grains.Cluster;
using OrleansRegistry.Contracts.Cluster;
using OrleansRegistry.Grains.Repositories;
using OrleansRegistry.Contracts.Repositories;
using OrleansRegistry.Grains.State;
using OrleansRegistry.Grains.Uploads;
using OrleansRegistry.Contracts.Uploads;

namespace OrleansRegistry.Grains.Tests.Persistence;

/// <summary>
/// State written by an earlier build must read back in this one, in the file storage and in Azure
/// grain storage alike (both use Orleans' binary serializer). The golden files under Golden/ were
/// written by an earlier build from the samples below; this build must read each of them into a
/// value equal to its sample. To add a state type, add a sample and write its golden file once with
/// ORLEANS_REGISTRY_WRITE_GOLDEN=1; never rewrite an existing one to make a test pass.
/// </summary>
public sealed class StateCompatibilityTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private const string DigestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string DigestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private static readonly Lazy<IGrainStorageSerializer> Serializer = new(() =>
    {
        var services = new ServiceCollection()
            .AddSerializer(builder => builder.AddAssembly(typeof(ManifestRecord).Assembly))
            .BuildServiceProvider();
        return new OrleansGrainStorageSerializer(services.GetRequiredService<Serializer>());
    });

    private static readonly Dictionary<string, (object Value, Func<BinaryData, object> Read)> Samples = new()
    {
        ["tags-bucket"] = Sample(new BucketState<string> { Entries = { ["v1"] = DigestA, ["latest"] = DigestB } }),
        ["manifests-bucket"] = Sample(new BucketState<ManifestRecord>
        {
            Entries =
            {
                [DigestA] = new ManifestRecord
                {
                    Digest = DigestA, MediaType = "application/vnd.oci.image.manifest.v1+json", Size = 1234,
                    Location = "blobs/sha256/aa/" + DigestA[7..], Subject = DigestB, ArtifactType = "application/vnd.example",
                    Annotations = new() { ["k"] = "v" }, Blobs = [DigestB], ChildManifests = [], PushedAt = When,
                },
            },
        }),
        ["blobs-bucket"] = Sample(new BucketState<BlobLink> { Entries = { [DigestB] = new BlobLink { Size = 42, Location = "uploads/abc", LinkedAt = When } } }),
        ["referrers-bucket"] = Sample(new BucketState<List<ReferrerEntry>>
        {
            Entries = { [DigestB] = [new ReferrerEntry { Digest = DigestA, MediaType = "application/vnd.oci.image.manifest.v1+json", Size = 1234, ArtifactType = "application/vnd.example", Annotations = new() { ["k"] = "v" } }] },
        }),
        ["catalog-bucket"] = Sample(new BucketState<DateTimeOffset> { Entries = { ["team/app"] = When } }),
        ["repository-meta"] = Sample(new RepositoryMeta { CreatedAt = When, InCatalog = true }),
        ["blob"] = Sample(new BlobState { Location = "blobs/sha256/bb/x", Size = 42, Repositories = { "team/app", "team/other" } }),
        ["upload"] = Sample(new UploadSessionState
        {
            Repository = "team/app", Length = 1_000_000, Parts = ["p1", "p2"], HashState = [1, 2, 3, 4],
            CompletedDigest = null, CreatedAt = When, UpdatedAt = When.AddMinutes(1),
        }),
        ["silo-directory"] = Sample(new SiloDirectoryState { Urls = { ["127.0.0.1:11111@1"] = "http://127.0.0.1:5000" } }),
        ["auth-directory"] = Sample(new AuthDirectoryState
        {
            Version = 7,
            Users = { ["alice"] = new UserRecord { Name = "alice", PasswordHash = "$2a$10$hash", Admin = false, Stamp = "s1", Source = AuthSource.Configuration } },
            Robots = { ["robot$ci"] = new RobotRecord { Name = "robot$ci", SecretSha256 = "ab", ExpiresAt = When.AddDays(30), Stamp = "s2", Description = "ci", Source = AuthSource.Api } },
            Namespaces =
            {
                ["team/*"] = new NamespaceRecord
                {
                    Pattern = "team/*", Visibility = NamespaceVisibility.Private,
                    Grants = [new GrantRecord { Subject = "alice", Roles = NamespaceRole.Pull | NamespaceRole.Push }], Source = AuthSource.Configuration,
                },
            },
        }),
    };

    public static TheoryData<string> States => [.. Samples.Keys];

    [Theory]
    [MemberData(nameof(States))]
    public void State_written_by_an_earlier_build_reads_back(string name)
    {
        var (sample, read) = Samples[name];
        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("ORLEANS_REGISTRY_WRITE_GOLDEN") == "1" && !File.Exists(path))
        {
            File.WriteAllText(path, Convert.ToBase64String(Write(sample).ToArray()) + "\n");
        }

        Assert.True(File.Exists(path), $"no golden file for {name}: {path}");
        var stored = BinaryData.FromBytes(Convert.FromBase64String(File.ReadAllText(path).Trim()));
        Assert.Equal(Json(sample), Json(read(stored)));
    }

    private static (object, Func<BinaryData, object>) Sample<T>(T value) where T : notnull =>
        (value, data => Serializer.Value.Deserialize<T>(data)!);

    private static BinaryData Write(object sample) =>
        (BinaryData)typeof(IGrainStorageSerializer).GetMethod(nameof(IGrainStorageSerializer.Serialize))!
            .MakeGenericMethod(sample.GetType()).Invoke(Serializer.Value, [sample])!;

    private static string Json(object value) => JsonSerializer.Serialize(value, value.GetType());

    private static string GoldenPath(string name)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "tests", "OrleansRegistry.Grains.Tests", "Persistence", "Golden");
            if (Directory.Exists(candidate))
            {
                return Path.Combine(candidate, $"{name}.b64");
            }
        }

        throw new DirectoryNotFoundException("tests/OrleansRegistry.Grains.Tests/Persistence/Golden");
    }
}
