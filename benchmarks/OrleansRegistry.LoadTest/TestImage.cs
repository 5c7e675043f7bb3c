using System.Text;
using System.Text.Json;

namespace OrleansRegistry.LoadTest;

/// <summary>
/// The image every scenario reads: a config, one large layer and a few small ones. Its bytes come
/// from a fixed seed, so seeding two registries gives both the very same digests.
/// </summary>
public sealed record TestImage(string Repository, string Tag, string ManifestDigest, int ManifestSize, Descriptor Config, IReadOnlyList<Descriptor> Layers)
{
    public const string ConfigMediaType = "application/vnd.oci.image.config.v1+json";
    public const string LayerMediaType = "application/vnd.oci.image.layer.v1.tar+gzip";

    public Descriptor LargestLayer => Layers.MaxBy(l => l.Size)!;

    public IEnumerable<Descriptor> SmallLayers => Layers.Where(l => l != LargestLayer);

    /// <summary>Pushes the image (skipping blobs already there) and tags it.</summary>
    public static async Task<TestImage> SeedAsync(RegistryClient client, string repo, string tag, int largeLayerMiB, CancellationToken ct)
    {
        var layerSizes = new[] { largeLayerMiB * 1024 * 1024, 32 * 1024, 256 * 1024, 1024 * 1024 };
        var layers = new List<Descriptor>();
        for (var i = 0; i < layerSizes.Length; i++)
        {
            var bytes = new byte[layerSizes[i]];
            new Random(1000 + i).NextBytes(bytes);
            layers.Add(await EnsureBlobAsync(client, repo, bytes, LayerMediaType, ct).ConfigureAwait(false));
        }

        var configJson = new StringBuilder("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/bin\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[");
        configJson.AppendJoin(',', layers.Select(l => $"\"{l.Digest}\""));
        configJson.Append("]}}");
        var config = await EnsureBlobAsync(client, repo, Encoding.UTF8.GetBytes(configJson.ToString()), ConfigMediaType, ct).ConfigureAwait(false);

        var manifest = RegistryClient.ImageManifest(config, layers);
        await client.PutManifestAsync(repo, tag, manifest, ct).ConfigureAwait(false);
        return new TestImage(repo, tag, RegistryClient.Sha256(manifest), manifest.Length, config, layers);
    }

    /// <summary>Reads the image back by tag, as a client would.</summary>
    public static async Task<TestImage> DiscoverAsync(RegistryClient client, string repo, string tag, CancellationToken ct)
    {
        var bytes = await client.GetBytesAsync($"/v2/{repo}/manifests/{tag}", RegistryClient.OciManifest, ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(bytes);
        static Descriptor Read(JsonElement e) =>
            new(e.GetProperty("mediaType").GetString()!, e.GetProperty("digest").GetString()!, e.GetProperty("size").GetInt64());
        var config = Read(doc.RootElement.GetProperty("config"));
        var layers = doc.RootElement.GetProperty("layers").EnumerateArray().Select(Read).ToList();
        return new TestImage(repo, tag, RegistryClient.Sha256(bytes), bytes.Length, config, layers);
    }

    private static async Task<Descriptor> EnsureBlobAsync(RegistryClient client, string repo, byte[] bytes, string mediaType, CancellationToken ct)
    {
        var digest = RegistryClient.Sha256(bytes);
        if (!await client.BlobExistsAsync(repo, digest, ct).ConfigureAwait(false))
        {
            await client.PushMonolithicAsync(repo, bytes, digest, ct).ConfigureAwait(false);
        }

        return new Descriptor(mediaType, digest, bytes.Length);
    }
}
