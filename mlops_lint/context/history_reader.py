"""The two helpers every history scan uses while git streams: a content reader and progress on stderr.

`ContentReader` is one `git cat-file --batch` process (started by the gateway) fed with blob ids as
the enumeration finds them, while a thread reads the contents back, skips binaries, prefilters by
keyword and scans what is left: content reading overlaps enumeration.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from typing import IO

from mlops_lint.context.history_model import HistoryUnavailableError, PastSecret, Prefilter, SecretScanner
from mlops_lint.context.secret_markers import line_text, value_hash
from mlops_lint.git_gateway import PIPE, GitGateway


class ContentReader:
    """One `git cat-file --batch` process: oids go in as enumeration finds them; a thread reads
    the contents back, skips binaries, prefilters by keyword and scans what is left."""

    def __init__(self, gateway: GitGateway, scanner: SecretScanner | None, prefilter: Prefilter) -> None:
        process = gateway.start("cat-file", "--batch", stdin=PIPE)
        if process is None:
            raise HistoryUnavailableError("git could not be started")
        self.process = process
        self.scanner = scanner
        self.prefilter = prefilter
        self.writer: threading.Thread | None = None
        self.paths: list[str] = []
        self.hits: list[PastSecret] = []
        self.scanned: list[str] = []
        self.passed: list[str] = []  # without a scanner: the blobs the prefilter let through
        self.failed: BaseException | None = None
        self.max_size: int | None = None  # larger blobs are read past, not scanned (their size is known only here)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def request(self, oid: str, path: str) -> None:
        assert self.process.stdin is not None
        self.paths.append(path)  # cat-file answers in request order
        self.process.stdin.write(oid.encode("ascii") + b"\n")

    def request_all(self, oids: list[str]) -> None:
        """Queue many blobs at once from a writer thread (cat-file's output is read meanwhile)."""
        self.paths.extend([""] * len(oids))
        payload = "".join(oid + "\n" for oid in oids).encode("ascii")

        def write() -> None:
            assert self.process.stdin is not None
            try:
                self.process.stdin.write(payload)
                self.process.stdin.close()
            except BrokenPipeError:
                pass

        self.writer = threading.Thread(target=write, daemon=True)
        self.writer.start()

    def finish(self) -> None:
        assert self.process.stdin is not None
        if self.writer is not None:
            self.writer.join()
        else:
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        self.thread.join()
        self.process.wait()

    def _read(self) -> None:
        out: IO[bytes] = self.process.stdout  # type: ignore[assignment]
        buffer = bytearray()
        position = 0
        index = 0

        def more() -> bool:  # append the next piece of output, dropping what was consumed
            nonlocal position
            chunk = out.read1(1 << 20)  # type: ignore[attr-defined]
            if not chunk:
                return False
            if position:
                del buffer[:position]
                position = 0
            buffer.extend(chunk)
            return True

        try:
            while True:
                newline = buffer.find(b"\n", position)
                if newline < 0:
                    if not more():
                        break
                    continue
                parts = bytes(buffer[position:newline]).split()
                if len(parts) != 3:  # "<oid> missing"
                    position = newline + 1
                    index += 1
                    continue
                end = newline + 1 + int(parts[2])
                while len(buffer) < end + 1:
                    offset = position
                    if not more():
                        raise EOFError("git cat-file --batch stopped early")
                    newline, end = newline - (offset - position), end - (offset - position)
                path = self.paths[index]
                index += 1
                oid = parts[0].decode("ascii")
                self.scanned.append(oid)
                start = newline + 1
                small = self.max_size is None or end - start <= self.max_size
                if small and buffer.find(b"\0", start, min(end, start + 8000)) < 0:
                    data = bytes(buffer[start:end])
                    if self.prefilter(data):
                        if self.scanner is None:
                            self.passed.append(oid)
                        else:
                            self._scan(oid, path, data)
                position = end + 1
        except BaseException as exc:  # surfaced by scan(); the thread must not die silently
            self.failed = exc
        finally:
            out.close()

    def _scan(self, oid: str, path: str, data: bytes) -> None:
        assert self.scanner is not None
        self.hits.extend(scan_blob(self.scanner, oid, path, data))


def scan_blob(scanner: SecretScanner, oid: str, path: str, data: bytes) -> list[PastSecret]:
    text = data.decode("utf-8", errors="replace")
    found = []
    for line, column, end, kind in scanner(text, path):
        value = line_text(text, line)[column - 1 : end - 1]
        found.append(PastSecret(oid, path, line, column, kind, value_hash(value)))
    return found


class Progress:
    """`blobs scanned / total` on stderr, only on a terminal and only for scans that take a while;
    and the count of objects the scan could not see, for the run's notice."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.shown = False
        self.missing = 0  # objects the walk met but the clone does not have (a partial or damaged clone)

    def update(self, enumerated: int, read: int) -> None:
        if not self.enabled or enumerated % 5000 or time.monotonic() - self.start < 0.5:
            return
        sys.stderr.write(f"\rmlops-lint: git history: {enumerated} blobs listed, {read} read\033[K")
        sys.stderr.flush()
        self.shown = True

    def stage(self, text: str) -> None:
        """A step of a scan whose count is not known as it runs (the full scan works in bulk)."""
        if self.enabled:
            sys.stderr.write(f"\rmlops-lint: git history: {text}\033[K")
            sys.stderr.flush()
            self.shown = True

    def done(self, enumerated: int, read: int) -> None:
        if self.shown:
            sys.stderr.write(f"\rmlops-lint: git history: {enumerated} blobs in history, {read} searched\033[K\n")
            sys.stderr.flush()
