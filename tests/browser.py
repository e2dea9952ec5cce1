"""Drive a real headless Chromium over the DevTools protocol on a pipe, with the standard library only.

`chromium --remote-debugging-pipe` reads protocol commands from its fd 3 and writes replies and
events to its fd 4, each a JSON message ended by a NUL byte. No port is opened, nothing is
downloaded (no selenium-manager, no driver), and the browser is started with every background
service off, so the only requests a page makes are its own; they are recorded, with the console
messages and uncaught exceptions, for the tests to assert on.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--remote-debugging-pipe",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-breakpad",
    "--mute-audio",
    "--hide-scrollbars",
    "--allow-file-access-from-files",
)


def _high(fds: tuple[int, int]) -> tuple[int, int]:
    """The pipe's ends moved to descriptors above 9, so that the shell's `3<&N 4>&M` cannot clobber them (bash reads
    descriptors of several digits; dash does not, hence bash)."""
    moved = tuple(fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds)
    for fd in fds:
        os.close(fd)
    return moved[0], moved[1]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Page:
    """What loading one page produced."""

    url: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)  # console errors and warnings, uncaught exceptions, log errors


class Browser:
    def __init__(self, executable: str, timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._profile = tempfile.mkdtemp(prefix="mlops-lint-chromium-")
        commands_read, self._commands = _high(os.pipe())
        self._replies, replies_write = _high(os.pipe())
        script = f'exec "$0" "$@" 3<&{commands_read} 4>&{replies_write} {commands_read}<&- {replies_write}>&-'
        self._process = subprocess.Popen(
            [
                shutil.which("bash") or "bash",
                "-c",
                script,
                executable,
                *FLAGS,
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            pass_fds=(commands_read, replies_write),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(commands_read)
        os.close(replies_write)
        self._next = 0
        self._inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.events: list[dict[str, Any]] = []

    def _read(self) -> None:
        buffer = b""
        with open(self._replies, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                buffer += chunk
                while b"\0" in buffer:
                    message, buffer = buffer.split(b"\0", 1)
                    self._inbox.put(json.loads(message))
        self._inbox.put(None)

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            reply = self._inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            if reply is None:
                raise RuntimeError("chromium closed the pipe")
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        while True:
            event = self._inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
            if event is None:
                raise RuntimeError("chromium closed the pipe")
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    @contextlib.contextmanager
    def page(self, path: Path, width: int, height: int = 900, javascript: bool = True) -> Iterator[Tab]:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        tab = Tab(self, session, Page(path.resolve().as_uri()))
        try:
            for domain in ("Page", "Runtime", "Log", "Network"):
                self.call(f"{domain}.enable", session=session)
            tab.resize(width, height)
            if not javascript:
                self.call("Emulation.setScriptExecutionDisabled", {"value": True}, session)
            self.events.clear()
            self.call("Page.navigate", {"url": tab.page.url}, session)
            self.wait_for("Page.loadEventFired", session)
            time.sleep(0.2)  # let late console messages arrive
            tab.collect()
            yield tab
        finally:
            self.call("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._commands)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._reader.join(timeout=5)
        shutil.rmtree(self._profile, ignore_errors=True)


@dataclass
class Tab:
    browser: Browser
    session: str
    page: Page

    def resize(self, width: int, height: int) -> None:
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600}
        self.browser.call("Emulation.setDeviceMetricsOverride", metrics, self.session)

    def collect(self) -> None:
        for event in self.browser.events:
            if event.get("sessionId") != self.session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Network.requestWillBeSent":
                self.page.requests.append(params["request"]["url"])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                self.page.console.append(" ".join(str(a.get("value", a.get("description"))) for a in params["args"]))
            elif method == "Runtime.exceptionThrown":
                self.page.console.append(params["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                self.page.console.append(params["entry"]["text"])

    def evaluate(self, expression: str) -> Any:
        result = self.browser.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, self.session
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, target: Path, top: int = 0, height: int | None = None) -> Path:
        """A PNG of the page from `top`, `height` pixels high (default: to the end of the page)."""
        width, full = self.evaluate("[document.documentElement.clientWidth, document.documentElement.scrollHeight]")
        height = min(height or full, full - top)
        clip = {"x": 0, "y": top, "width": width, "height": height, "scale": 1}
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True, "clip": clip}
        data = self.browser.call("Page.captureScreenshot", params, self.session)["data"]
        target.write_bytes(base64.b64decode(data))
        return target
