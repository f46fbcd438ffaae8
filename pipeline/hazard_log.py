"""The clinical hazard log (sources/hazard-log.yaml): checking its risks and that every control exists.

A control that names a lint rule, test, red flag or schema constraint that is not there gives
false comfort, so each is looked up: lint rules in the rule registry, tests by parsing the
test file, red flags among the sources, schema constraints by resolving the JSON Pointer.
Tests and schemas belong to the code, so they are looked up beside the package, not in the
project folder.
"""

from __future__ import annotations

import ast
import json
from functools import lru_cache
from pathlib import Path

from .diagnostics import WARNING, Diagnostic
from .loading import Document
from .model import LIKELIHOODS, RISK_NAMES, SEVERITIES, risk_of
from .toolchain import SCHEMA_DIR  # the one copy of the schemas, which builds also hash

CODE_ROOT = Path(__file__).resolve().parent.parent


def _risk_diagnostics(doc: Document, pointer: str, risk: object) -> list[Diagnostic]:
    if not isinstance(risk, dict):
        return []
    severity, likelihood, stated = risk.get("severity"), risk.get("likelihood"), risk.get("risk")
    if severity not in SEVERITIES or likelihood not in LIKELIHOODS or not isinstance(stated, int):
        return []  # the schema reports these
    expected = risk_of(severity, likelihood)
    if stated != expected:
        return [doc.diagnostic(f"{pointer}/risk", f"severity '{severity}' with likelihood '{likelihood}' is risk "
                                                  f"{expected} ({RISK_NAMES[expected]}) in the DCB0129 matrix, "
                                                  f"not {stated}")]
    return []


def _rating(risk: object) -> int | None:
    if isinstance(risk, dict) and risk.get("severity") in SEVERITIES and risk.get("likelihood") in LIKELIHOODS:
        return risk_of(risk["severity"], risk["likelihood"])
    return None


@lru_cache(maxsize=None)
def _test_names(path: Path, mtime_ns: int) -> frozenset[str]:
    """Every test function in a test file, as 'name' or 'Class::name'."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{item.name}" for item in node.body
                         if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return frozenset(names)


def why_no_test(node_id: str, code_root: Path = CODE_ROOT) -> str | None:
    """Why a pytest node id names no test, or None when it does."""
    file_part, _, name = node_id.partition("::")
    path = code_root / file_part
    if not path.is_file():
        return f"no test file {file_part}"
    try:
        names = _test_names(path, path.stat().st_mtime_ns)
    except SyntaxError as exc:
        return f"{file_part} cannot be parsed (line {exc.lineno})"
    if name not in names or not name.rsplit("::", 1)[-1].startswith("test"):
        return f"{file_part} has no test '{name}'"
    return None


def why_no_schema_part(reference: str, schema_dir: Path = SCHEMA_DIR) -> str | None:
    """Why 'file.schema.json#/pointer' names no part of a schema, or None when it does."""
    name, _, pointer = reference.partition("#")
    path = schema_dir / name
    if not path.is_file():
        return f"no schema {name} in schemas/"
    node = json.loads(path.read_text(encoding="utf-8"))
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return f"{name} has nothing at '{pointer}' (no '{token}')"
    return None


def hazard_log_diagnostics(documents: dict[str, dict[str, Document]], code_root: Path = CODE_ROOT) -> list[Diagnostic]:
    """Risks that disagree with the matrix, residual risks above initial ones, and controls that name nothing."""
    from .lint import rule_ids

    found: list[Diagnostic] = []
    rules = rule_ids()
    flags = set(documents["red-flags"])
    for doc in documents.get("hazard-log", {}).values():
        hazards = doc.data.get("hazards")
        seen: dict[str, int] = {}
        for index, hazard in enumerate(hazards if isinstance(hazards, list) else []):
            if not isinstance(hazard, dict):
                continue
            pointer = f"/hazards/{index}"
            hazard_id = hazard.get("id")
            if isinstance(hazard_id, str):
                if hazard_id in seen:
                    found.append(doc.diagnostic(f"{pointer}/id", f"hazard id {hazard_id} is already used by hazard "
                                                                 f"{seen[hazard_id] + 1}"))
                seen.setdefault(hazard_id, index)
            found += _risk_diagnostics(doc, f"{pointer}/initial", hazard.get("initial"))
            found += _risk_diagnostics(doc, f"{pointer}/residual", hazard.get("residual"))
            initial, residual = _rating(hazard.get("initial")), _rating(hazard.get("residual"))
            if initial and residual and residual > initial:
                found.append(doc.diagnostic(f"{pointer}/residual", f"residual risk {residual} is higher than the "
                                                                   f"initial risk {initial}; controls cannot add risk"))
            controls = hazard.get("controls")
            for c_index, control in enumerate(controls if isinstance(controls, list) else []):
                if isinstance(control, dict):
                    found += _control_diagnostics(doc, f"{pointer}/controls/{c_index}", control, rules, flags, code_root)
    return found


def _control_diagnostics(doc, pointer, control, rules, flags, code_root) -> list[Diagnostic]:
    problem = None
    if isinstance(control.get("lint_rule"), str):
        kind, target = "lint_rule", control["lint_rule"]
        if target not in rules:
            problem = f"no lint rule '{target}' (rules: {', '.join(sorted(rules))})"
    elif isinstance(control.get("test"), str):
        kind, target = "test", control["test"]
        if not (code_root / "tests").is_dir():
            # An installed package carries no tests to look in (the checkout it came from, in
            # CI, checked them): say so, without failing a clinic's `handouts validate`.
            return [doc.diagnostic(f"{pointer}/{kind}", "cannot check that this test exists: the tests are "
                                                        "not installed with the package", severity=WARNING)]
        problem = why_no_test(target, code_root)
    elif isinstance(control.get("red_flag"), str):
        kind, target = "red_flag", control["red_flag"]
        if target not in flags:
            problem = f"no red flag '{target}' (no file sources/red-flags/{target}.yaml)"
    elif isinstance(control.get("schema"), str):
        kind, target = "schema", control["schema"]
        problem = why_no_schema_part(target)
    else:
        return []
    if problem:
        return [doc.diagnostic(f"{pointer}/{kind}", f"control names something that does not exist: {problem}")]
    return []
