using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using OrleansRegistry.Server.Tests.Infrastructure;

namespace OrleansRegistry.Server.Tests.Robustness;

/// <summary>
/// skopeo, podman and containerd try HTTPS first and fall back to HTTP for an insecure registry:
/// a TLS ClientHello on the plain port must fail fast (an HTTP 400, which Go reports as
/// "server gave HTTP response to HTTPS client"), not hang, and must not hurt the server.
/// </summary>
public sealed class TlsOnPlainPortTests(RegistryServer server) : IClassFixture<RegistryServer>
{
    [Fact]
    public async Task Tls_handshake_on_the_http_port_fails_fast_with_an_http_answer_and_the_server_keeps_serving()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
        var recording = new RecordingStream(tcp.GetStream());
        using var ssl = new SslStream(recording, leaveInnerStreamOpen: false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var clock = Stopwatch.StartNew();
        var handshake = ssl.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            },
            timeout.Token);
        var error = await Record.ExceptionAsync(() => handshake);
        clock.Stop();

        Assert.NotNull(error);
        Assert.IsNotType<OperationCanceledException>(error);
        Assert.IsNotType<TaskCanceledException>(error);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"the handshake took {clock.Elapsed} to fail");
        Assert.True(recording.Sent > 0, "no ClientHello was sent");
        var answer = Encoding.ASCII.GetString(recording.Received.ToArray());
        Assert.StartsWith("HTTP/1.1 400", answer, StringComparison.Ordinal);

        using var client = server.CreateClient();
        for (var i = 0; i < 3; i++)
        {
            using var ping = await client.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }
    }

    [Fact]
    public async Task Many_tls_attempts_in_parallel_do_not_disturb_plain_requests()
    {
        using var client = server.CreateClient();
        var attempts = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, server.BaseAddress.Port);
            using var ssl = new SslStream(tcp.GetStream());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var error = await Record.ExceptionAsync(() => ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions { TargetHost = "localhost", RemoteCertificateValidationCallback = (_, _, _, _) => true },
                timeout.Token));
            Assert.NotNull(error);
            Assert.False(timeout.IsCancellationRequested, "a handshake hung");
        }).ToList();
        var pings = Enumerable.Range(0, 20).Select(async _ =>
        {
            using var ping = await client.GetAsync("/v2/");
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        });
        await Task.WhenAll(attempts.Concat(pings));
    }

    /// <summary>Passes everything through, counting what is written and keeping what is read.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        public MemoryStream Received { get; } = new();

        public long Sent { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            Received.Write(buffer, offset, read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            Received.Write(buffer.Span[..read]);
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Sent += count;
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Sent += buffer.Length;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
