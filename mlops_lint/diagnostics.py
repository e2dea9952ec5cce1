"""The records a run produces: where a finding is, what it says, and the run's totals.

Everything here is a frozen dataclass so that findings can be hashed, sorted, cached and
sent between processes without anyone mutating them on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from mlops_lint.fixes import Fix


class StrEnum(str, Enum):
    """`enum.StrEnum` exists from Python 3.11 only; this is the same thing for 3.10."""

    def __str__(self) -> str:
        return str(self.value)


class Severity(StrEnum):
    """How sure and how harmful a finding is (the catalogue sets one per rule; `fail-on` gates on it):

    - `error`: almost surely wrong and harmful: leakage, a secret, a broken file or pointer, data
      that is silently wrong;
    - `warning`: likely a problem that the repository's maintainers would fix;
    - `info`: advice or a convention.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]

    def at_least(self, threshold: Severity) -> bool:
        """Whether this severity is `threshold` or graver (`warning.at_least(info)` is True)."""
        return self.rank <= threshold.rank


class Family(StrEnum):
    NAMING = "naming"
    CODE_QUALITY = "code-quality"
    EXPERIMENTS = "experiments"
    DATA = "data"
    GIT_HISTORY = "git-history"
    NOTEBOOKS = "notebooks"
    REPRODUCIBILITY = "reproducibility"
    INTERNAL = "internal"


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Span:
    """A range in a text: 1-based lines and columns, the end column exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @classmethod
    def point(cls, line: int, col: int = 1) -> Span:
        return cls(start_line=line, start_col=col, end_line=line, end_col=col)

    @classmethod
    def line(cls, line: int, length: int) -> Span:
        """The whole of one line of `length` characters."""
        return cls(start_line=line, start_col=1, end_line=line, end_col=length + 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Location:
    """Where a finding is: a repo-relative POSIX path, optionally a span, a notebook cell or a commit."""

    path: str
    span: Span | None = None
    cell: int | None = None
    commit: str | None = None

    def sort_key(self) -> tuple[str, int, int, int, int, str]:
        span = self.span or Span.point(0, 0)
        return (self.path, self.cell or 0, span.start_line, span.start_col, span.end_line, self.commit or "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding of one rule."""

    code: str
    name: str
    family: Family
    severity: Severity
    message: str
    location: Location
    fix: Fix | None = None
    help: str | None = None  # what to do, from the catalogue's `help:`; shown when no fix title is

    def sort_key(self) -> tuple[tuple[str, int, int, int, int, str], str, str]:
        return (self.location.sort_key(), self.code, self.message)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleError:
    """A rule that raised: recorded, reported, and the run goes on (it exits 2 at the end)."""

    code: str
    location: Location
    error: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RunReport:
    """What `lint` returns: the findings after suppression, the crashed rules, and counts."""

    diagnostics: tuple[Diagnostic, ...]
    errors: tuple[RuleError, ...] = ()
    files_checked: int = 0
    suppressed: int = 0
    baselined: int = 0  # findings acknowledged by the baseline file
    root: str = "."
    notices: tuple[str, ...] = field(default=())
    fail_on: Severity = Severity.INFO  # the least severe finding that fails the run (`fail-on`)

    @property
    def failing(self) -> tuple[Diagnostic, ...]:
        """The findings at or above `fail_on`: those that make the run exit 1."""
        return tuple(d for d in self.diagnostics if d.severity.at_least(self.fail_on))

    @property
    def exit_code(self) -> int:
        if self.errors:
            return 2
        return 1 if self.failing else 0
