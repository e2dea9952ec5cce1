"""JUnit XML output for CI systems that show test reports (Jenkins, GitLab, Azure Pipelines, CircleCI).

One `<testsuite>` per rule family, in the family order of the catalogue, and one failing
`<testcase>` per finding: `classname` is `family.CODE` (Jenkins shows the family as the package and
the code as the class), `name` is the code and the location, `file` the repo-relative path (GitLab links it).
The failure's `message` is the finding's message, its `type` the severity, its text the full text
report line with the fix hint. A rule that crashed is an `<error>` in the `internal` suite. A clean
run is one suite with one passing test case, so the CI page says "passed" rather than "no tests".
Characters XML 1.0 forbids (NUL and other C0 controls) are written as `\\xNN`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from mlops_lint.diagnostics import Diagnostic, Family, RunReport
from mlops_lint.reporters import text

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: str) -> str:
    """Text XML 1.0 can hold: forbidden characters become visible `\\xNN` escapes (ElementTree escapes <&>")."""
    return _NOT_XML.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", value
    )


def _case(suite: ET.Element, classname: str, name: str, path: str | None = None) -> ET.Element:
    attrs = {"classname": clean(classname), "name": clean(name)}
    if path:
        attrs["file"] = clean(path)
    return ET.SubElement(suite, "testcase", attrs)


def _finding(suite: ET.Element, diagnostic: Diagnostic) -> None:
    name = f"{diagnostic.code} {text.location_text(diagnostic)}"
    case = _case(suite, f"{diagnostic.family}.{diagnostic.code}", name, diagnostic.location.path)
    failure = ET.SubElement(case, "failure", {"message": clean(diagnostic.message), "type": str(diagnostic.severity)})
    body = [f"{text.location_text(diagnostic)}: {diagnostic.code} {diagnostic.message}"]
    body.append(f"rule: {diagnostic.code} {diagnostic.name} ({diagnostic.family}, {diagnostic.severity})")
    if diagnostic.fix is not None:
        body.append(f"help: {diagnostic.fix.title} ({diagnostic.fix.applicability} fix)")
    elif diagnostic.help:
        body.append(f"help: {diagnostic.help}")
    failure.text = clean("\n".join(body))


def render(report: RunReport, **_: Any) -> str:
    root = ET.Element("testsuites", {"name": "mlops-lint"})
    by_family: dict[Family, list[Diagnostic]] = {}
    for diagnostic in report.diagnostics:
        by_family.setdefault(diagnostic.family, []).append(diagnostic)
    errors = list(report.errors)
    if errors:
        by_family.setdefault(Family.INTERNAL, [])
    total = failures = 0
    for family in Family:
        if family not in by_family:
            continue
        found = by_family[family]
        crashed = errors if family is Family.INTERNAL else []
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f"mlops-lint.{family}",
                "tests": str(len(found) + len(crashed)),
                "failures": str(len(found)),
                "errors": str(len(crashed)),
                "skipped": "0",
            },
        )
        for diagnostic in found:
            _finding(suite, diagnostic)
        for error in crashed:
            case = _case(suite, f"internal.{error.code}", f"{error.code} on {error.location.path}", error.location.path)
            message = f"rule {error.code} crashed on {error.location.path}: {error.error}"
            ET.SubElement(case, "error", {"message": clean(message), "type": "crash"}).text = clean(message)
        total += len(found) + len(crashed)
        failures += len(found)
    if not total:
        suite = ET.SubElement(
            root, "testsuite", {"name": "mlops-lint", "tests": "1", "failures": "0", "errors": "0", "skipped": "0"}
        )
        _case(suite, "mlops-lint", f"all checks passed ({text.plural(report.files_checked, 'file')})")
        total = 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(len(errors)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
