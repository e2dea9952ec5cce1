"""Credential files tracked by git (MLG006): `.env`, DVC's local config with credentials, Kaggle and
netrc files. Reading happens in the contexts: DVC's INI (`context.dvc_config`), the index and the
`.gitignore` files (`context.gitignore`)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.context import dvc_config
from mlops_lint.context.gitignore import git_index, on_disk
from mlops_lint.context.repo import RepoContext
from mlops_lint.context.secrets import env_credentials, is_placeholder, scan_text
from mlops_lint.diagnostics import Diagnostic, Location, Span
from mlops_lint.fixes import CreateFile, Edit, Fix, TextEdit, line_starts, newline_of, split_lines
from mlops_lint.rule import RepoRule

DVC_CREDENTIAL_KEYS = frozenset(
    [
        "access_key_id",
        "secret_access_key",
        "password",
        "token",
        "session_token",
        "credentialpath",
        "gdrive_client_secret",
        "account_key",
        "sas_token",
        "connection_string",
    ]
)
_ENV_TEMPLATES = frozenset({"example", "template", "sample", "dist", "defaults", "tpl", "tmpl"})
_KAGGLE_KEY = re.compile(r"\"key\"\s*:\s*\"(?P<v>[^\"]*)\"")
_NETRC_PASSWORD = re.compile(r"(?:^|\s)password\s+(?P<v>\S+)")


@dataclass(frozen=True, slots=True)
class _Credential:
    label: str
    line: int | None = None
    detail: str = ""


def _is_dvc_config(path: str, name: str) -> bool:
    return PurePosixPath(path).parent.name == ".dvc" and PurePosixPath(path).name == name


def _first_line(text: str, pattern: re.Pattern[str]) -> int | None:
    match = pattern.search(text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def credential_file(path: str, text: str) -> _Credential | None:
    """What kind of credential file `path` is, if its content holds a credential."""
    pure = PurePosixPath(path)
    name, parent = pure.name, pure.parent.name
    if not text.strip():
        return None
    if name == ".env" or name.startswith(".env."):
        if name.rsplit(".", 1)[-1].lower() in _ENV_TEMPLATES:
            hits = scan_text(text, path)  # a template only counts with real-looking values
            return _Credential("dotenv template with real-looking values", hits[0].line) if hits else None
        found = env_credentials(text)
        if not found:
            return None
        return _Credential("dotenv file", found[0][0], f" (sets {', '.join(n for _l, n in found[:3])})")
    if name in (".netrc", "_netrc"):
        match = _NETRC_PASSWORD.search(text)
        if match is None or is_placeholder(match.group("v")):
            return None
        return _Credential("netrc file with passwords", text.count("\n", 0, match.start("v")) + 1)
    if name == "kaggle.json":
        match = _KAGGLE_KEY.search(text)
        if match is None or is_placeholder(match.group("v")):
            return None
        return _Credential("Kaggle API credentials", text.count("\n", 0, match.start("v")) + 1)
    if name == "credentials" and parent == ".aws":
        return _Credential("AWS credentials file", _first_line(text, re.compile(r"aws_secret_access_key", re.I)))
    if name.endswith((".pem", ".key")) or (name.startswith(("id_rsa", "id_ed25519", "id_ecdsa", "id_dsa"))):
        if name.endswith(".pub") or "PRIVATE KEY" not in text:
            return None
        return _Credential("private key", _first_line(text, re.compile(r"PRIVATE KEY")))
    if name == "token" and parent in (".huggingface", "huggingface"):
        return _Credential("Hugging Face token file", 1)
    if name == ".git-credentials":
        return _Credential("git credential store", 1)
    if _is_dvc_config(path, "config.local"):
        keys = [e for s in dvc_config.parse(text) for e in s.entries if e.key in DVC_CREDENTIAL_KEYS and e.value]
        if keys:
            return _Credential("DVC local config with credentials", keys[0].line, f" ({keys[0].key})")
    return None


class CredentialFileTracked(RepoRule):
    # reads git's index (in every memo's key) and the texts of tracked, listed files (through the
    # repository context): a warm run need not run it again (it read every file: a third of one)
    code = "MLG006"

    def check(self, repo: RepoContext) -> Iterator[Diagnostic]:
        if not repo.in_git:
            return
        index = git_index(repo)
        targets = set(repo.targets)
        for path in sorted(repo.file_set):
            if path not in targets or path not in index.tracked_under(path):
                continue
            text = repo.file(path).text
            if text is None:
                continue
            if _is_dvc_config(path, "config"):
                yield from self._dvc_config(repo, path, text)
                continue
            found = credential_file(path, text)
            if found is not None:
                span = Span.point(found.line) if found.line else None
                yield self.diagnostic(
                    Location(path=path, span=span),
                    what=f"{found.label} '{path}' is tracked by git{found.detail}",
                    action=f"untrack it (git rm --cached {path}), git-ignore it and rotate what it holds",
                )

    def _dvc_config(self, repo: RepoContext, path: str, text: str) -> Iterator[Diagnostic]:
        moves = [
            (section, entry)
            for section in dvc_config.parse(text)
            for entry in section.entries
            if entry.key.lower() in DVC_CREDENTIAL_KEYS and entry.value and not is_placeholder(entry.value)
        ]
        if not moves:
            return
        fix = self._move_fix(repo, path, text, moves)
        for section, entry in moves:
            where = f" in [{dvc_config.normalise(section.name)}]" if section.name else ""
            yield self.diagnostic(
                Location(path=path, span=Span.point(entry.line, entry.column)),
                fix,
                what=f"'{path}' holds {entry.key}{where}",
                action="move it to .dvc/config.local (dvc remote modify --local) or to environment variables",
            )

    def _move_fix(
        self, repo: RepoContext, path: str, text: str, moves: list[tuple[dvc_config.Section, dvc_config.Entry]]
    ) -> Fix | None:
        local = posixpath.join(posixpath.dirname(path), "config.local")
        if any(not section.name for section, _entry in moves) or git_index(repo).tracked_under(local):
            return None  # keys outside a section, or a tracked config.local (MLG006's own finding)
        newline = newline_of(text)
        edits: list[Edit] = list(_line_deletions(path, text, {e.line for _section, e in moves}))
        groups: dict[str, tuple[dvc_config.Section, list[dvc_config.Entry]]] = {}
        for section, entry in moves:
            groups.setdefault(section.key, (section, []))[1].append(entry)
        title = self.fix_title(keys=", ".join(e.key for _s, e in moves), config=path, local=local)
        if not repo.has(local):
            if on_disk(repo, local) is not None:
                return None  # exists but git-ignored: not among the files we may edit
            body = "".join(
                section.header + newline + "".join(e.text + newline for e in entries)
                for section, entries in groups.values()
            )
            return Fix(title=title, edits=(*edits, CreateFile(path=local, content=body)))
        decoded = repo.file(local).decoded
        if decoded is None:
            return None
        edits.extend(_local_inserts(local, decoded.text, groups))
        return Fix(title=title, edits=tuple(edits))


def _line_deletions(path: str, text: str, numbers: set[int]) -> Iterator[TextEdit]:
    """Edits deleting whole lines, one per run of adjacent lines (edits of one fix must not touch).

    A run that ends the file without a final line break takes the break before it instead, so
    a file that had no final newline does not gain one."""
    lines = split_lines(text, keepends=True)
    ordered = sorted(numbers)
    runs: list[list[int]] = []
    for number in ordered:
        if runs and runs[-1][-1] == number - 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    for run in runs:
        first, last = run[0], run[-1]
        unterminated = last == len(lines) and not lines[-1].endswith(("\n", "\r"))
        if unterminated and first > 1:
            previous = len(lines[first - 2].rstrip("\r\n"))
            span = Span(start_line=first - 1, start_col=previous + 1, end_line=last, end_col=len(lines[-1]) + 1)
        else:
            span = Span(start_line=first, start_col=1, end_line=last + 1, end_col=1)
        yield TextEdit(path=path, span=span, content="")


def _local_inserts(
    local: str, text: str, groups: dict[str, tuple[dvc_config.Section, list[dvc_config.Entry]]]
) -> list[TextEdit]:
    """Edits adding the entries to an existing config.local: into the same section, or new sections at the end."""
    newline = newline_of(text)
    existing = {section.key: section for section in dvc_config.parse(text) if section.name}
    lines = split_lines(text, keepends=True)
    at: dict[int, list[tuple[int, str]]] = {}  # insert before line N (len(lines) + 1 = at the end)
    end = len(lines) + 1
    for key, (section, entries) in groups.items():
        there = existing.get(key)
        if there is None:  # a new section, after any entries that join the file's last section
            chunk = section.header + newline + "".join(e.text + newline for e in entries)
            at.setdefault(end, []).append((1, chunk))
            continue
        present = {e.key for e in there.entries}
        chunk = "".join(e.text + newline for e in entries if e.key not in present)
        if chunk:
            at.setdefault(there.last_line + 1, []).append((0, chunk))
    edits = []
    starts = line_starts(text)
    for line, chunks in sorted(at.items()):
        content = "".join(chunk for _order, chunk in sorted(chunks, key=lambda c: c[0]))
        if line > len(lines):  # at the end: after a final line break (adding one if missing)
            if text and not text.endswith(("\n", "\r")):
                content = newline + content
            span = Span.point(len(starts), len(text) - starts[-1] + 1)
        elif not lines[line - 2].endswith(("\n", "\r")):
            span = Span.point(line - 1, len(lines[line - 2]) + 1)
            content = newline + content
        else:
            span = Span.point(line)
        edits.append(TextEdit(path=local, span=span, content=content))
    return edits


RULES = [CredentialFileTracked]
