"""DVC's INI configuration (`.dvc/config`, `.dvc/config.local`) read line by line, keeping lines.

DVC writes configobj-style files: `[core]`, `['remote "storage"']` (older files: `[remote "storage"]`),
`key = value` entries indented or not, comments starting with `#` or `;`. `configparser` would lose
the line numbers a finding and a fix need, so this reader keeps them: every section has its
header line and its entries with their lines, and `Section.key` normalises the header so that
`['remote "s3"']` and `[remote "s3"]` are the same section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlops_lint.fixes import split_lines

_HEADER = re.compile(r"^[ \t]*\[(?P<name>.*)\][ \t]*(?:[#;].*)?$")
_ENTRY = re.compile(r"^[ \t]*(?P<key>[A-Za-z0-9_.\-]+)[ \t]*=[ \t]*(?P<value>.*?)[ \t]*$")


@dataclass(frozen=True, slots=True)
class Entry:
    line: int  # 1-based
    column: int  # 1-based column of the key
    key: str
    value: str
    text: str  # the whole line, without its line break


@dataclass(slots=True)
class Section:
    name: str  # as written between the brackets, e.g. `'remote "storage"'`
    line: int  # 1-based line of the header; 0 for entries before any header
    header: str  # the header line as written
    entries: list[Entry] = field(default_factory=list)
    last_line: int = 0  # last non-blank, non-comment line of the section (header or entry)

    @property
    def key(self) -> str:
        return normalise(self.name)


def normalise(name: str) -> str:
    """`'remote "s3"'`, `"remote \\"s3\\""` and `remote "s3"` -> `remote "s3"` (lower-cased type)."""
    inner = name.strip()
    if len(inner) >= 2 and inner[0] == inner[-1] and inner[0] in "'\"":
        inner = inner[1:-1].replace('\\"', '"')
    head, _, rest = inner.partition(" ")
    rest = rest.strip()
    return f"{head.lower()} {rest}" if rest else head.lower()


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    comment = re.search(r"[ \t][#;]", value)
    return value[: comment.start()].rstrip() if comment else value


def parse(text: str) -> list[Section]:
    """The sections of a DVC config, in file order (entries before any header go in a section named "")."""
    sections = [Section(name="", line=0, header="")]
    for number, line in enumerate(split_lines(text), start=1):  # numbered as Span counts (fix edits)
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        header = _HEADER.match(line)
        if header:
            sections.append(Section(name=header.group("name"), line=number, header=line.strip(), last_line=number))
            continue
        entry = _ENTRY.match(line)
        if entry:
            section = sections[-1]
            section.entries.append(
                Entry(
                    line=number,
                    column=entry.start("key") + 1,
                    key=entry.group("key"),
                    value=_unquote(entry.group("value")),
                    text=line,
                )
            )
            section.last_line = number
    return [s for s in sections if s.line or s.entries]
