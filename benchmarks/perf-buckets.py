#!/usr/bin/env python3
"""Reads `perf script` output (with call stacks) on stdin and prints, for a few named parts of the
server, the share of CPU samples whose stack passes through them (inclusive: one sample may count
in several rows). Used by profile.sh; the patterns are plain regular expressions over frame names.

With --edge (edge.sh), the parts of the proxy hop instead, exclusive, so the rows add up to 100%: a
sample whose leaf is in libcoreclr is the runtime's (GC, allocation, stubs: the library is stripped);
any other goes to the part of its innermost frame that names one (a leaf in an unnamed helper counts
for its caller). Managed frames are matched on their declaring type ("] Namespace.Type::"), not on the
types in their signature. The kernel's send and receive cannot be split into client and silo side:
the stacks stop at libc's send/recv (no frame pointers there)."""
import re
import sys

BUCKETS = [
    ("HTTP: RegistryDispatcher (all /v2 handling)", r"RegistryDispatcher"),
    ("  ManifestEndpoints", r"ManifestEndpoints"),
    ("  BlobEndpoints", r"BlobEndpoints"),
    ("  UploadEndpoints / UploadService", r"UploadEndpoints|UploadService"),
    ("  grain calls made from HTTP (GrainReference -> runtime client)", r"GrainReferenceRuntime|OutsideRuntimeClient|InsideRuntimeClient::SendRequest"),
    ("Orleans runtime: scheduler, messaging, activation turns", r"Orleans\.Runtime\.Scheduler|Orleans\.Runtime\.Messaging|Orleans\.Runtime\.ActivationData|Orleans\.Runtime\.Dispatcher|InsideRuntimeClient|Orleans\.Serialization"),
    ("  RepositoryGrain methods", r"RepositoryGrain"),
    ("Storage: FileSystemBlobStore / FileStream / SafeFileHandle", r"FileSystemBlobStore|FileStream|SafeFileHandle|RandomAccess|Strategies\.|FileSystemStagingWriter"),
    ("  open/close/flock/fstat syscalls", r"do_sys_open|__x64_sys_openat|__x64_sys_close|__do_sys_flock|__x64_sys_flock|vfs_fstat|__do_sys_newfstat|__x64_sys_statx"),
    ("  read/pread from the page cache", r"ksys_read|ksys_pread64|__x64_sys_pread64|__x64_sys_read\b|filemap_read"),
    ("  write/pwrite", r"ksys_write|ksys_pwrite64|__x64_sys_pwrite64|__x64_sys_write\b"),
    ("  fsync", r"__x64_sys_fsync|__x64_sys_fdatasync|do_fsync"),
    ("Hashing (libcrypto / SHA)", r"libcrypto|sha256|SHA256|ResumableHash"),
    ("Kestrel HTTP/1.1 (parse, headers, response)", r"Kestrel\.Core\.Internal\.Http"),
    ("Socket send (kernel tcp_sendmsg)", r"tcp_sendmsg"),
    ("Socket receive (kernel tcp_recvmsg)", r"tcp_recvmsg"),
    ("Thread pool / waits (epoll_wait, futex, sched_yield)", r"epoll_wait|futex|sched_yield|do_sched_yield"),
    ("Logging", r"Microsoft\.Extensions\.Logging"),
    ("System.Text.Json", r"System\.Text\.Json"),
    ("Memory copy (Memmove / memcpy)", r"Memmove|memcpy|memmove"),
    ("self time in libcoreclr (GC, stubs, runtime; stripped)", r"^[^\n]*libcoreclr\.so"),
]

EDGE_PARTS = [  # (part, pattern for one frame), innermost frame first
    ("socket send syscalls (to client and silo; loopback delivery to the peer included)",
     r"tcp_sendmsg|__sys_sendto|__sys_sendmsg| __send\b| __libc_send"),
    ("socket receive syscalls (from client and silo)", r"tcp_recvmsg|__sys_recvfrom|__sys_recvmsg|inet6?_recvmsg| __libc_recv"),
    ("socket readiness: epoll_wait", r"epoll_wait|ep_poll"),
    ("waits and wake-ups: futex (thread pool, locks)", r"futex|pthread_cond|pthread_mutex"),
    ("spinning: sched_yield (thread-pool workers spin-waiting, GC)", r"sched_yield"),
    ("memory copy (Memmove / memcpy)", r"Memmove|memcpy|memmove"),
    ("logging", r"\] Microsoft\.Extensions\.Logging"),
    ("HttpClient to the silo: headers", r"\] System\.Net\.Http\.Headers"),
    ("HttpClient to the silo: SocketsHttpHandler, connection, pool", r"\] System\.Net\.Http\."),
    ("YARP forwarder (HttpForwarder, request/response copy)", r"\] Yarp\.ReverseProxy\.Forwarder"),
    ("YARP routing, load balancing, health", r"\] Yarp\.ReverseProxy\."),
    ("edge middleware (request id, drain)", r"\] OrleansRegistry\.Edge"),
    ("ASP.NET Core hosting, routing, HttpContext", r"\] Microsoft\.AspNetCore\.(Hosting|Routing|Builder|Http)\."),
    ("Kestrel socket transport (client side)", r"\] Microsoft\.AspNetCore\.Server\.Kestrel\.Transport"),
    ("Kestrel HTTP/1.1 (parse, headers, response)", r"\] Microsoft\.AspNetCore\.Server\.Kestrel"),
    ("managed sockets (System.Net.Sockets: SocketAsyncEngine, send/receive calls)", r"\] System\.Net\.Sockets"),
    ("Orleans client", r"\] Orleans\."),
    ("thread pool dispatch", r"\] System\.Threading\.(ThreadPool|PortableThreadPool|LowLevel)"),
]
RUNTIME = "runtime: libcoreclr leaf (GC, allocation, stubs; stripped)"
OTHER_MANAGED = "other managed code only (async machinery, collections, ...)"

def edge_main():
    parts = [(name, re.compile(pattern)) for name, pattern in EDGE_PARTS]
    counts = {}
    for stack in samples(sys.stdin):
        if "libcoreclr.so" in stack[0]:
            part = RUNTIME
        else:
            part = next((name for frame in stack for name, rx in parts if rx.search(frame)), None)
            part = part or (OTHER_MANAGED if any("/perf-" in f for f in stack) else "other (kernel, libc, unnamed)")
        counts[part] = counts.get(part, 0) + 1
    total = sum(counts.values())
    print(f"{total} samples (each in one part)")
    for name in [p[0] for p in EDGE_PARTS] + [RUNTIME, OTHER_MANAGED, "other (kernel, libc, unnamed)"]:
        if counts.get(name):
            print(f"{100.0 * counts[name] / max(total, 1):6.1f}%  {name}")

def samples(lines):
    stack = []
    for line in lines:
        if line.startswith((" ", "\t")) and line.strip():
            stack.append(line.strip())
        elif stack:
            yield stack
            stack = []
    if stack:
        yield stack

def main():
    if "--edge" in sys.argv[1:]:
        return edge_main()
    compiled = [(name, re.compile(pattern)) for name, pattern in BUCKETS]
    counts = [0] * len(compiled)
    total = 0
    stack = []

    def flush():
        nonlocal total
        if not stack:
            return
        total += 1
        text = "\n".join(stack)  # innermost frame first, so "^" anchors a pattern to the leaf
        for i, (_, rx) in enumerate(compiled):
            if rx.search(text):
                counts[i] += 1
        stack.clear()

    for line in sys.stdin:
        if not line.strip():
            flush()
        elif line.startswith((" ", "\t")):
            stack.append(line.strip())
        else:
            flush()
    flush()
    print(f"{total} samples")
    for (name, _), count in zip(compiled, counts):
        if count:
            print(f"{100.0 * count / max(total, 1):6.1f}%  {name}")

if __name__ == "__main__":
    main()
