"""Shared red flags: checking that conditions name real flags, at the right level, in the SMS too.

A red flag is defined once in sources/red-flags/<id>.yaml; the model puts its text into
every care block that names it. These checks run with validation, so that a build can
trust every reference it resolves.
"""

from __future__ import annotations

import difflib

from .diagnostics import Diagnostic
from .loading import Document


def _levels(documents: dict[str, dict[str, Document]]) -> dict[str, str]:
    """Each red flag's level, for the flags whose file gives one."""
    return {flag_id: doc.data.get("level") for flag_id, doc in documents["red-flags"].items()}


def _unknown(flag_id: str, known: dict[str, str]) -> str:
    hint = difflib.get_close_matches(flag_id, list(known), n=1)
    suggestion = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"unknown red flag '{flag_id}': no file sources/red-flags/{flag_id}.yaml{suggestion}"


def reference_diagnostics(documents: dict[str, dict[str, Document]]) -> list[Diagnostic]:
    """Every care block's red flags exist and share its level; the SMS's flag is in the emergency block."""
    known = _levels(documents)
    found: list[Diagnostic] = []
    for doc in documents["conditions"].values():
        care = doc.data.get("care")
        emergency_flags: list[str] = []
        seen: dict[str, str] = {}
        for index, block in enumerate(care if isinstance(care, list) else []):
            if not isinstance(block, dict):
                continue
            level = block.get("level")
            flags = block.get("red_flags")
            for flag_index, flag_id in enumerate(flags if isinstance(flags, list) else []):
                if not isinstance(flag_id, str):
                    continue
                pointer = f"/care/{index}/red_flags/{flag_index}"
                if flag_id in seen:
                    found.append(doc.diagnostic(pointer, f"red flag '{flag_id}' is already in the {seen[flag_id]} block"))
                    continue
                seen[flag_id] = level
                if flag_id not in known:
                    found.append(doc.diagnostic(pointer, _unknown(flag_id, known)))
                elif known[flag_id] != level:
                    found.append(doc.diagnostic(
                        pointer, f"red flag '{flag_id}' is {known[flag_id]}; it cannot be in the {level} block"))
                elif level == "emergency":
                    emergency_flags.append(flag_id)
        sms = doc.data.get("sms")
        flag_id = sms.get("red_flag") if isinstance(sms, dict) else None
        if not isinstance(flag_id, str):
            continue
        if flag_id not in known:
            found.append(doc.diagnostic("/sms/red_flag", _unknown(flag_id, known)))
        elif known[flag_id] != "emergency":
            found.append(doc.diagnostic("/sms/red_flag", f"the SMS names red flag '{flag_id}', which is "
                                                         f"{known[flag_id]}; it must name an emergency flag"))
        elif flag_id not in emergency_flags:
            found.append(doc.diagnostic("/sms/red_flag", f"the SMS names red flag '{flag_id}', which is not in "
                                                         "this condition's emergency care block"))
    return found


def block_flags(doc: Document, level: str) -> list[str]:
    """The red flag ids a condition's care block of one level names (none if it has no such block)."""
    for block in doc.data.get("care") or []:
        if isinstance(block, dict) and block.get("level") == level:
            return [f for f in block.get("red_flags") or [] if isinstance(f, str)]
    return []


def care_levels(doc: Document) -> list[str]:
    """The levels of a condition's care blocks, in file order."""
    return [block.get("level") for block in doc.data.get("care") or [] if isinstance(block, dict)]
