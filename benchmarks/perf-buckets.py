#!/usr/bin/env python3
"""Reads `perf script` output (with call stacks) on stdin and prints, for a few named parts of the
server, the share of CPU samples whose stack passes through them (inclusive: one sample may count
in several rows). Used by profile.sh; the patterns are plain regular expressions over frame names."""
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

def main():
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
