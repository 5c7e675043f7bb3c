using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace OrleansRegistry.Core.Digests;

/// <summary>
/// SHA-256/512 through OpenSSL's libcrypto (SHA256_Init/Update/Final...), which uses the
/// CPU's SHA extensions. The context lives in a managed buffer pinned for each call, so
/// nothing needs disposing. Loaded once; <see cref="Sha256"/>/<see cref="Sha512"/> are null
/// when the library or its exports are missing or fail the self-test.
/// </summary>
internal sealed unsafe class OpenSslSha2Engine : ISha2Engine
{
    private static readonly string[] LibraryNames = ["libcrypto.so.3", "libcrypto.so"];

    private readonly delegate* unmanaged[Cdecl]<byte*, int> init;
    private readonly delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int> update;
    private readonly delegate* unmanaged[Cdecl]<byte*, byte*, int> final;

    static OpenSslSha2Engine()
    {
        var library = LoadLibrary();
        if (library == IntPtr.Zero)
        {
            return;
        }

        Sha256 = TryCreate(library, Sha2ContextLayout.Sha256, "SHA256");
        Sha512 = TryCreate(library, Sha2ContextLayout.Sha512, "SHA512");
    }

    private OpenSslSha2Engine(Sha2ContextLayout layout, IntPtr init, IntPtr update, IntPtr final)
    {
        Layout = layout;
        this.init = (delegate* unmanaged[Cdecl]<byte*, int>)init;
        this.update = (delegate* unmanaged[Cdecl]<byte*, byte*, nuint, int>)update;
        this.final = (delegate* unmanaged[Cdecl]<byte*, byte*, int>)final;
    }

    public static OpenSslSha2Engine? Sha256 { get; }

    public static OpenSslSha2Engine? Sha512 { get; }

    public Sha2ContextLayout Layout { get; }

    public static OpenSslSha2Engine? For(DigestAlgorithm algorithm) =>
        algorithm == DigestAlgorithm.Sha256 ? Sha256 : Sha512;

    public void Init(Span<byte> context)
    {
        CheckSize(context);
        fixed (byte* ctx = context)
        {
            Check(init(ctx));
        }
    }

    public void Update(Span<byte> context, ReadOnlySpan<byte> data)
    {
        CheckSize(context);
        fixed (byte* ctx = context)
        fixed (byte* bytes = data)
        {
            Check(update(ctx, bytes, (nuint)data.Length));
        }
    }

    public void Final(Span<byte> context, Span<byte> hash)
    {
        CheckSize(context);
        if (hash.Length < Layout.DigestSize)
        {
            throw new ArgumentException("hash buffer too small", nameof(hash));
        }

        fixed (byte* ctx = context)
        fixed (byte* md = hash)
        {
            Check(final(md, ctx));
        }
    }

    private static IntPtr LoadLibrary()
    {
        foreach (var name in LibraryNames)
        {
            if (NativeLibrary.TryLoad(name, out var handle))
            {
                return handle;
            }
        }

        return IntPtr.Zero;
    }

    private static OpenSslSha2Engine? TryCreate(IntPtr library, Sha2ContextLayout layout, string prefix)
    {
        if (!NativeLibrary.TryGetExport(library, prefix + "_Init", out var init)
            || !NativeLibrary.TryGetExport(library, prefix + "_Update", out var update)
            || !NativeLibrary.TryGetExport(library, prefix + "_Final", out var final))
        {
            return null;
        }

        var engine = new OpenSslSha2Engine(layout, init, update, final);
        try
        {
            return engine.PassesSelfTest() ? engine : null;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>
    /// Guards the layout assumption: a library whose context differs (another OpenSSL
    /// major, a fork) must not be trusted with exported state, so it falls back to managed.
    /// </summary>
    private bool PassesSelfTest()
    {
        // Slack past the expected size, filled with a sentinel: a library with a larger struct
        // writes into it (harmlessly) and is then rejected.
        Span<byte> native = stackalloc byte[Layout.ContextSize + 256];
        native.Fill(0xA5);
        Span<byte> managed = stackalloc byte[Layout.ContextSize];
        var managedEngine = ManagedSha2Engine.For(Layout.Algorithm);
        fixed (byte* ctx = native)
        {
            Check(init(ctx));
        }

        managedEngine.Init(managed);
        ReadOnlySpan<byte> probe = "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"u8;
        foreach (var length in (ReadOnlySpan<int>)[3, 70, probe.Length])
        {
            fixed (byte* ctx = native)
            fixed (byte* bytes = probe)
            {
                Check(update(ctx, bytes, (nuint)length));
            }

            managedEngine.Update(managed, probe[..length]);
            if (!Sha2StateComparer.SameState(Layout, native, managed))
            {
                return false;
            }
        }

        Span<byte> nativeHash = stackalloc byte[Layout.DigestSize];
        Span<byte> managedHash = stackalloc byte[Layout.DigestSize];
        fixed (byte* ctx = native)
        fixed (byte* md = nativeHash)
        {
            Check(final(md, ctx));
        }

        managedEngine.Final(managed, managedHash);
        return nativeHash.SequenceEqual(managedHash) && !native[Layout.ContextSize..].ContainsAnyExcept((byte)0xA5);
    }

    private void CheckSize(ReadOnlySpan<byte> context)
    {
        if (context.Length < Layout.ContextSize)
        {
            throw new ArgumentException("context buffer too small", nameof(context));
        }
    }

    private static void Check(int result)
    {
        if (result != 1)
        {
            throw new CryptographicException("libcrypto SHA-2 call failed");
        }
    }
}
