"""`handouts build`: the output contract, incremental rebuilds, atomic writes, narrowing."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import zipfile

from conftest import edit_source, manifest, snapshot
from pipeline.atomic import KILL_SWITCH
from pipeline.build import BuildOptions, build
from pipeline.project import Project
from pipeline.workers import EXIT_SWITCH, HANG_SWITCH


def test_manifest_lists_every_file_with_its_hash(built):
    listed = manifest(built)["artifacts"]
    on_disk = {
        str(p.relative_to(built)) for p in built.rglob("*")
        if p.is_file() and ".handouts" not in p.parts and p.name != "manifest.json"
    }
    assert {a["path"] for a in listed} == on_disk
    for artifact in listed:
        data = (built / artifact["path"]).read_bytes()
        assert artifact["bytes"] == len(data)
        assert artifact["sha256"] == hashlib.sha256(data).hexdigest()
        assert set(artifact) == {"path", "format", "variant", "condition", "guide", "locale", "bytes", "sha256",
                                 "reference", "version", "status"}
    formats = {a["format"] for a in listed}
    assert formats == {"html", "pdf", "epub", "sms", "catalogue", "printpack", "hazard-log"}


def test_manifest_names_conditions_and_guides(built, library):
    listed = manifest(built)["artifacts"]
    pdfs = [a for a in listed if a["format"] == "pdf"]
    assert {a["condition"] for a in pdfs} == set(library.conditions) | {None}  # topics have leaflets too
    assert {a["variant"] for a in pdfs} == {"a4", "letter", "large-print.a4", "large-print.letter"}
    assert {a["guide"] for a in listed if a["format"] == "epub"} == set(library.guides)


def small_build(project, **options):
    return build(Project(project), BuildOptions(out_dir=project / "outputs", workers=1, **options))


def test_noop_build_rewrites_nothing(prebuilt):
    before = snapshot(prebuilt / "outputs")
    again = small_build(prebuilt)
    # Nothing is rendered; the Spanish leaflets that did not fit are reported left out again.
    assert {o.status for o in again.outcomes} == {"unchanged", "skipped"}
    assert all(o.seconds == 0 for o in again.outcomes)
    assert snapshot(prebuilt / "outputs") == before


def test_one_edit_rebuilds_only_what_depends_on_it(prebuilt):
    before = snapshot(prebuilt / "outputs")
    edit_source(prebuilt / "sources/conditions/calf-strain.yaml", "Pain that can make it hard to walk",
                "Pain that can make walking hard")
    report = small_build(prebuilt)
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built"}
    assert {path for path in rebuilt if not path.startswith("es/")} == {
        "html/calf-strain.html", "pdf/calf-strain.a4.pdf", "pdf/calf-strain.letter.pdf",
        "pdf/calf-strain.large-print.a4.pdf", "pdf/calf-strain.large-print.letter.pdf",
        "epub/small-guide.epub", "index.html", "print-pack.letter.zip",
    }
    # The Spanish calf-strain was made from the old English: it leaves Spanish, and so does the
    # Spanish guide that has it as a chapter.
    assert {"es/sms/calf-strain.txt", "es/html/calf-strain.html", "es/epub/small-guide.epub"} <= set(report.removed)
    assert all("calf-strain" in path or "small-guide" in path for path in report.removed)
    assert "es/sms/messages.csv" in rebuilt
    after = snapshot(prebuilt / "outputs")
    changed = {path for path in after if after[path] != before.get(path)} | {p for p in before if p not in after}
    assert {path for path in changed if not path.startswith("es/")} == {
        path for path in rebuilt if not path.startswith("es/")} | {"manifest.json"}


def test_deleted_source_takes_its_outputs_with_it(prebuilt):
    edit_source(prebuilt / "sources/guides/small-guide.yaml", "  - condition: calf-strain\n", "")
    edit_source(prebuilt / "sources/conditions/dvt.yaml", "conditions: [calf-strain]", "conditions: []")
    edit_source(prebuilt / "sources/topics/price-method.yaml", "conditions: [calf-strain]", "conditions: []")
    (prebuilt / "sources/conditions/calf-strain.yaml").unlink()
    report = small_build(prebuilt)
    assert not report.failed
    assert not list((prebuilt / "outputs").rglob("calf-strain*"))
    paths = {a["path"] for a in manifest(prebuilt / "outputs")["artifacts"]}
    assert not [p for p in paths if "calf-strain" in p]
    assert "sms/calf-strain.txt" in report.removed


def test_only_and_format_narrow_the_build(project):
    report = small_build(project, only=("dvt",), formats=("html", "sms"))
    built_paths = {o.job.path for o in report.outcomes if o.status == "built"}
    assert built_paths == {"html/dvt.html", "sms/dvt.txt", "es/html/dvt.html", "es/sms/dvt.txt", "index.html",
                           "es/index.html"}


def test_no_temporary_files_are_left(prebuilt):
    assert not [p for p in (prebuilt / "outputs").rglob("*.tmp")]


def test_build_for_another_publisher_into_another_folder(cli, project, tmp_path):
    out = tmp_path / "uk"
    result = cli("build", "--publisher", "uk-example", "--out", str(out), "-j", "1", "--format", "html,sms",
                 project_dir=project)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text())["publisher"] == "uk-example"
    assert not (project / "outputs").exists()


def test_unknown_publisher_is_a_clean_error(cli, project):
    result = cli("build", "--publisher", "mars", project_dir=project)
    assert result.exit_code == 1
    assert "error: unknown publisher 'mars' (known: uk-example, us-default)" in result.output


def test_bad_source_leaves_outputs_untouched(cli, prebuilt):
    before = snapshot(prebuilt / "outputs")
    edit_source(prebuilt / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
    result = cli("build", project_dir=prebuilt)
    assert result.exit_code == 1
    assert "sources/conditions/dvt.yaml:37:12: error: 'emergncy' is not one of" in result.output
    assert snapshot(prebuilt / "outputs") == before


def test_progress_without_a_terminal_is_one_line_per_artifact(cli, project):
    result = cli("build", "-j", "1", "--format", "sms", project_dir=project)
    lines = result.output.splitlines()
    assert any(line.startswith("built     sms       sms/dvt.txt (") for line in lines)
    assert "format     built  unchanged  failed" in lines
    assert lines[-1].startswith("Build finished in ")


def test_noop_build_imports_no_renderer_and_parses_nothing(prebuilt):
    script = (
        "import sys; from pathlib import Path; from pipeline.build import build, BuildOptions; "
        "from pipeline.project import Project; "
        f"r = build(Project(Path({str(prebuilt)!r})), BuildOptions(out_dir=Path({str(prebuilt / 'outputs')!r}), workers=1)); "
        "assert {o.status for o in r.outcomes} == {'unchanged', 'skipped'}, r.outcomes; "
        "heavy = sorted(m for m in ('weasyprint', 'pypandoc', 'jinja2', 'yaml', 'jsonschema', 'segno') if m in sys.modules); "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_tampered_artifact_is_rebuilt(prebuilt):
    (prebuilt / "outputs/sms/dvt.txt").write_text("tampered")
    report = small_build(prebuilt)
    assert [o.job.path for o in report.outcomes if o.status == "built"] == ["sms/dvt.txt"]
    assert (prebuilt / "outputs/sms/dvt.txt").read_text().startswith("KneeInfo: ")


def test_progress_on_a_terminal_draws_a_bar_per_format(project):
    import io

    from pipeline.progress import Reporter

    screen = io.StringIO()
    report = build(Project(project), BuildOptions(out_dir=project / "outputs", workers=1, formats=("html", "sms")),
                   observer=Reporter(interactive=True, stream=screen))
    assert not report.failed
    final = screen.getvalue().rsplit("\x1b[J", 1)[-1].splitlines()
    assert final == [
        # The catalogue of each locale (es/index.html lists the Spanish handouts).
        "catalogue  [########################]    2/2",
        # English and the fixture's Spanish pages (es/html/ shares the English assets).
        "html       [########################]   14/14",
        # English and the fixture's Spanish (es/sms/): SMS is a localized format.
        "sms        [########################]    6/6",
    ]


def handouts(project, *args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """`handouts ARGS --project PROJECT` in a fresh process, as a user runs it."""
    return subprocess.run([sys.executable, "-m", "pipeline", *args, "--project", str(project)],
                          capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})})


def test_a_worker_that_dies_is_a_failed_artifact_not_a_crash(project):
    """The worker rendering pdf/dvt.a4.pdf is SIGKILLed (as the out-of-memory killer would) on both
    tries: that one artifact fails, named, with the reason; everything else is built; no traceback.

    Deterministic: the build sends the job with a test switch that makes its worker kill itself,
    instead of the test hunting for worker processes (issue 15). Fails if a dead worker crashes
    or hangs the build, takes other artifacts down with it, or goes unreported.
    """
    # One condition's files, English and Spanish: enough for other leaflets to go on being built.
    result = handouts(project, "build", "-j", "2", "--only", "dvt", env={EXIT_SWITCH: "pdf/dvt.a4.pdf"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert ("error: pdf/dvt.a4.pdf: its worker process was killed by SIGKILL (the system may have run out of "
            "memory), twice; not built") in result.stderr
    assert re.search(r"^failed\s+pdf\s+pdf/dvt\.a4\.pdf ", result.stderr, re.M)
    out = project / "outputs"
    listed = {a["path"] for a in manifest(out)["artifacts"]}
    assert "pdf/dvt.a4.pdf" not in listed and not (out / "pdf/dvt.a4.pdf").exists()
    assert {"pdf/dvt.letter.pdf", "pdf/dvt.large-print.a4.pdf", "es/pdf/dvt.a4.pdf", "html/dvt.html"} <= listed
    assert all((out / path).is_file() for path in listed)
    # The next build makes what the dead worker could not, and only that (and the catalogue
    # that lists it).
    again = small_build(project, only=("dvt",))
    assert again.failed == []
    # (The Spanish catalogue lists what every locale has, to link its twins: it is rebuilt too.)
    assert {o.job.path for o in again.outcomes if o.status == "built"} == {"pdf/dvt.a4.pdf", "index.html",
                                                                          "es/index.html"}


def test_a_worker_lost_once_is_retried_and_the_build_succeeds(project):
    """A worker lost once (killed mid-job) costs nothing but a note: its job is retried on a
    fresh worker. Fails if the job is not retried, or retried silently."""
    # The guides alone: the retry is the same for every heavy format.
    result = handouts(project, "build", "-j", "2", "--format", "epub", env={EXIT_SWITCH: "epub/small-guide.epub:once"})
    assert result.returncode == 0, result.stderr
    assert ("note: epub/small-guide.epub: its worker process was killed by SIGKILL (the system may have run "
            "out of memory); retried") in result.stderr
    assert (project / "outputs/epub/small-guide.epub").is_file()
    assert {o.status for o in small_build(project, formats=("epub",)).outcomes} == {"unchanged"}


def test_a_hung_render_fails_by_the_time_limit_and_the_build_goes_on(project):
    """A render that never returns fails its artifact when --timeout runs out; the build ends.
    Fails if the build waits for the hung job (the subprocess timeout would then fire)."""
    result = handouts(project, "build", "-j", "2", "--only", "calf-strain", "--timeout", "15",
                      env={HANG_SWITCH: "pdf/calf-strain.letter.pdf"}, timeout=300)
    assert result.returncode == 1, result.stderr
    assert ("error: pdf/calf-strain.letter.pdf: took longer than the time limit of 15 s and was stopped "
            "(raise it with --timeout)") in result.stderr
    # On a machine too busy for 15 s a leaflet, other leaflets may time out too, but nothing
    # else goes wrong and what was built is listed.
    errors = re.findall(r"^error: (\S+): (.*)$", result.stderr, re.M)
    assert all("took longer than the time limit" in message for _path, message in errors), errors
    listed = {a["path"] for a in manifest(project / "outputs")["artifacts"]}
    assert "pdf/calf-strain.letter.pdf" not in listed and "sms/calf-strain.txt" in listed
    assert all((project / "outputs" / path).is_file() for path in listed)


def test_force_rebuilds_everything_and_dry_run_writes_nothing(prebuilt, cli):
    out = prebuilt / "outputs"
    everything = {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    total = len(manifest(out)["artifacts"])
    result = cli("build", "--dry-run", "-j", "1", project_dir=prebuilt)
    assert result.exit_code == 0
    assert f"Nothing to do: all {total} artifacts are up to date. Nothing was written." in result.output
    edit_source(prebuilt / "sources/conditions/calf-strain.yaml", "Pain that can make it hard to walk",
                "Pain that can make walking hard")
    result = cli("build", "--dry-run", project_dir=prebuilt)
    assert "would build   pdf       pdf/calf-strain.a4.pdf: its content changed\n" in result.output
    assert "would build   catalogue index.html: its content changed\n" in result.output
    # The Spanish calf-strain was made from the old English: it leaves Spanish.
    assert "would remove  es/sms/calf-strain.txt: its source is gone\n" in result.output
    assert "would remove  es/html/calf-strain.html: its source is gone\n" in result.output
    assert re.search(r"\d+ of \d+ artifacts would be built, \d+ removed. Nothing was written.", result.output)
    forced = cli("build", "--dry-run", "--force", "--format", "sms", project_dir=prebuilt)
    # the 3 SMS files, the Spanish dvt and messages (calf-strain's Spanish went with the edit),
    # the print pack and the catalogue of each locale
    assert forced.output.count("forced (--force)") == 3 + 2 + 2 * 2
    assert "would build   catalogue es/index.html: forced (--force)\n" in forced.output
    assert "would build   printpack es/print-pack.letter.zip: forced (--force)\n" in forced.output
    # Not a byte, not a timestamp, not the lock or the state: the folder is as it was.
    assert {str(p.relative_to(out)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in out.rglob("*") if p.is_file()} == everything
    report = small_build(prebuilt, force=True)
    # Everything is built again; a Spanish leaflet that does not fit its paper is tried again
    # (--force overrides the build state's record of it) and skipped again.
    assert {o.status for o in report.outcomes if not o.job.path.startswith("es/pdf/")} == {"built"}
    assert {o.job.path for o in report.outcomes if o.status == "built"} == {
        a["path"] for a in manifest(out)["artifacts"]}


def test_dry_run_on_a_new_folder_creates_nothing(project, cli):
    result = cli("build", "--dry-run", project_dir=project)
    assert result.exit_code == 0
    listed = re.findall(r"^would build\s+\S+\s+(\S+): new$", result.output, re.M)
    assert f"{len(listed)} of {len(listed)} artifacts would be built" in result.output
    assert {"html/dvt.html", "pdf/dvt.a4.pdf", "epub/small-guide.epub", "sms/messages.csv", "index.html"} <= set(listed)
    assert "would build   html      html/dvt.html: new" in result.output
    assert not (project / "outputs").exists()


def test_outputs_are_readable_by_all_and_respect_the_umask(project):
    """0644 files and 0755 folders under umask 022 (a web server's user can read them), and no more
    than the umask allows under 027. Fails with mkstemp's 0600 kept, as before."""
    for umask, file_mode, folder_mode in ((0o022, 0o644, 0o755), (0o027, 0o640, 0o750)):
        target = project / f"out-{umask:o}"
        previous = os.umask(umask)
        try:
            # Every kind of file and folder but the leaflets, which are written the same way.
            options = BuildOptions(out_dir=target, workers=2, formats=("html", "sms", "epub"))
            assert not build(Project(project), options).failed
        finally:
            os.umask(previous)
        for path in [target, *target.rglob("*")]:
            if ".handouts" in path.parts:
                continue
            mode = stat.S_IMODE(path.stat().st_mode)
            assert mode == (folder_mode if path.is_dir() else file_mode), (path, oct(mode))


def test_each_artifact_carries_its_own_items_review_date(prebuilt):
    """Re-reviewing one condition re-dates (and rebuilds) its own artifacts, the guide it is a
    chapter of, the print pack holding its leaflet and the catalogue; every other file keeps its
    bytes and its own date.
    Fails with the old rule (every file dated by the newest review of all)."""
    import pikepdf

    before = snapshot(prebuilt / "outputs")
    edit_source(prebuilt / "sources/conditions/calf-strain.yaml", "last_reviewed: 2026-11-21", "last_reviewed: 2026-11-22")
    report = small_build(prebuilt)
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built" and not o.job.path.startswith("es/")}
    assert rebuilt == {"html/calf-strain.html", "pdf/calf-strain.a4.pdf", "pdf/calf-strain.letter.pdf",
                       "pdf/calf-strain.large-print.a4.pdf", "pdf/calf-strain.large-print.letter.pdf",
                       "epub/small-guide.epub", "print-pack.letter.zip", "index.html"}
    after = snapshot(prebuilt / "outputs")
    assert {p for p in after if after[p] != before.get(p) and not p.startswith("es/")} == rebuilt | {"manifest.json"}
    out = prebuilt / "outputs"

    def created(pdf: str) -> str:
        with pikepdf.open(out / "pdf" / pdf) as doc:
            return str(doc.docinfo["/CreationDate"])

    assert created("calf-strain.a4.pdf").startswith("D:20261122")
    assert created("dvt.a4.pdf").startswith("D:20261121")
    assert '<meta name="dcterms.modified" content="2026-11-22' in (out / "html/calf-strain.html").read_text()
    assert '<meta name="dcterms.modified" content="2026-11-21' in (out / "html/dvt.html").read_text()
    with zipfile.ZipFile(out / "epub/small-guide.epub") as book:
        opf = next(book.read(n).decode() for n in book.namelist() if n.endswith(".opf"))
    assert '<meta property="dcterms:modified">2026-11-22T00:00:00Z</meta>' in opf  # its newest chapter


def test_source_date_epoch_dates_every_artifact(project):
    import pikepdf

    os.environ["SOURCE_DATE_EPOCH"] = "1790000000"  # 2026-09-21
    try:
        assert not small_build(project, formats=("pdf",), only=("dvt",)).failed
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    for pdf in ("pdf/dvt.a4.pdf", "pdf/dvt.large-print.letter.pdf", "es/pdf/dvt.large-print.a4.pdf"):
        with pikepdf.open(project / "outputs" / pdf) as doc:
            assert str(doc.docinfo["/CreationDate"]).startswith("D:20260921")


def test_a_build_leaves_nothing_in_the_temporary_folder(project, tmp_path):
    """WeasyPrint's font copies and pandoc's work folders go in the build's private folder, removed
    at exit; a killed build's folder, and the pymp-* folder it noted there, are removed by the
    next build (issue 15). Fails without the private folder (as before: 13
    weasyprint-* and 5 pymp-* folders after one test run)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch)}
    # A condition's leaflets (WeasyPrint) and the guide (pandoc): every renderer that writes there.
    only = ("--only", "dvt", "--only", "small-guide")
    assert handouts(project, "build", "-j", "2", *only, env=env).returncode == 0
    assert list(scratch.iterdir()) == []
    killed = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "--force", "-j", "2", *only,
                               "--project", str(project)],
                              env={**os.environ, **env, KILL_SWITCH: "8"}, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    assert killed.wait(timeout=300) == -signal.SIGKILL
    assert handouts(project, "build", "-j", "2", *only, env=env).returncode == 0
    # The fork server of the killed build dies with it, a moment later.
    deadline = time.monotonic() + 10
    while list(scratch.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(scratch.iterdir()) == []


def test_renaming_a_page_rebuilds_the_pages_that_link_to_it(prebuilt):
    edit_source(prebuilt / "sources/topics/price-method.yaml",
                'title: "Caring for a strain at home: the PRICE method"', 'title: "The PRICE method for strains"')
    report = small_build(prebuilt)
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built"}
    # calf-strain links to price-method, so its page and leaflets show the new title.
    assert {"html/price-method.html", "html/calf-strain.html", "pdf/calf-strain.a4.pdf",
            "pdf/calf-strain.letter.pdf", "pdf/calf-strain.large-print.a4.pdf",
            "pdf/calf-strain.large-print.letter.pdf", *(f"pdf/price-method.{v}.pdf" for v in
            ("a4", "letter", "large-print.a4", "large-print.letter")),
            "epub/small-guide.epub", "index.html", "print-pack.letter.zip"} == {
        path for path in rebuilt if not path.startswith("es/")}
    assert "The PRICE method for strains" in (prebuilt / "outputs/html/calf-strain.html").read_text()


def test_state_from_an_earlier_pipeline_is_rebuilt_not_a_crash(project):
    """A state.json written by the previous version (one fingerprint string per artifact, no
    manifest record) makes the next build rebuild, and say why."""
    small_build(project, formats=("sms",))
    path = project / "outputs/.handouts/state.json"
    state = json.loads(path.read_text())
    for entry in state["artifacts"].values():
        entry["fingerprint"] = "0" * 64
    del state["manifest"], state["toolchains"]
    path.write_text(json.dumps(state))
    report = small_build(project, formats=("sms",))
    assert not report.failed
    assert {o.reason for o in report.outcomes if o.job.format == "sms"} == {"built by an earlier version of the pipeline"}


def test_every_locale_of_the_publisher_is_built_into_its_folder(project):
    report = small_build(project, formats=("sms",))
    assert not report.failed and report.notices == []
    listed = {a["path"]: a["locale"] for a in manifest(project / "outputs")["artifacts"]}
    assert listed["sms/dvt.txt"] == "en-US" and listed["es/sms/dvt.txt"] == "es-US"
    assert listed["index.html"] == "en-US"
    spanish = (project / "outputs/es/sms/dvt.txt").read_text(encoding="utf-8")
    assert "¿Le cuesta respirar de pronto? Llame al 911 ahora." in spanish
    assert spanish.endswith("https://knee.example/es/html/dvt.html")
    # Web pages too (tests/formats/test_spanish.py has the rest).
    small_build(project, formats=("html",))
    assert (project / "outputs/es/html/dvt.html").exists()
    # A publisher without Spanish gets none.
    out = project / "uk"
    build(Project(project), BuildOptions(publisher="uk-example", out_dir=out, workers=1, formats=("sms",)))
    assert not (out / "es").exists()


def test_an_incomplete_translation_is_left_out_with_a_warning_or_previewed(cli, project):
    edit_source(project / "sources/conditions/dvt.yaml", "  - Sometimes a fever", "  - Sometimes a fever or chills")
    result = cli("build", "--format", "sms", "-j", "1", project_dir=project)
    assert result.exit_code == 0
    assert ("sources/locales/es/conditions/dvt.po:1:1: warning: translation-incomplete: condition 'dvt' is not "
            "built in es-US: 1 of 33 texts not translated (handouts i18n status)") in result.output
    assert not (project / "outputs/es/sms/dvt.txt").exists()
    assert (project / "outputs/es/sms/calf-strain.txt").exists()
    result = cli("build", "--format", "sms", "-j", "1", "--allow-partial", project_dir=project)
    assert result.exit_code == 0 and "translation-incomplete" not in result.output
    # The message itself is all Spanish: the English edit was in a symptom, not the SMS.
    assert "Llame al 911 ahora." in (project / "outputs/es/sms/dvt.txt").read_text(encoding="utf-8")
    result = cli("build", "--release", "--allow-partial", project_dir=project)
    assert result.exit_code == 1 and "a release cannot be partial" in result.output


def test_aggregates_are_built_in_every_locale_and_go_with_it(prebuilt, cli):
    """The catalogue and the print pack of each locale (es/index.html, es/print-pack.letter.zip):
    counted by a dry run, rebuilt alone when only that locale's wording changes, and removed when
    the locale is no longer built. Fails with aggregates built for the primary locale only."""
    project = prebuilt
    out = project / "outputs"
    assert {"es/index.html", "es/print-pack.letter.zip"} <= {a["path"] for a in manifest(out)["artifacts"]}
    result = cli("build", "--dry-run", "--force", project_dir=project)
    would_build = re.findall(r"^would build\s+\S+\s+(\S+): forced", result.output, re.M)
    assert {"index.html", "es/index.html", "print-pack.letter.zip", "es/print-pack.letter.zip"} <= set(would_build)
    assert f"{len(would_build)} of {len(would_build)} artifacts would be built" in result.output
    # A Spanish interface string only the catalogue shows: the Spanish pages take the new wording
    # (it is the locale's), the Spanish catalogue changes, nothing English does.
    edit_source(project / "sources/locales/es/interface.po",
                'msgstr "Hojas informativas sobre el dolor detrás de la rodilla"',
                'msgstr "Hojas sobre el dolor detrás de la rodilla"')
    result = cli("build", "--dry-run", project_dir=project)
    assert "would build   catalogue es/index.html: its content changed\n" in result.output
    assert "catalogue index.html: its content changed" not in result.output
    report = small_build(project)
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built"}
    assert "es/index.html" in rebuilt and not {path for path in rebuilt if not path.startswith("es/")}
    assert "<h1>Hojas sobre el dolor detrás de la rodilla</h1>" in (out / "es/index.html").read_text(encoding="utf-8")
    # The publisher stops publishing Spanish: every Spanish file goes, its catalogue and pack too.
    edit_source(project / "sources/publishers/us-default.yaml", "locales: [en-US, es-US]", "locales: [en-US]")
    edit_source(project / "sources/publishers/us-default.yaml", "{en-US: 1, es-US: 3}", "{en-US: 1}")
    report = small_build(project)
    assert not report.failed
    assert {"es/index.html", "es/print-pack.letter.zip"} <= set(report.removed)
    assert not (out / "es").exists()
    assert not [a for a in manifest(out)["artifacts"] if a["locale"] != "en-US"]
    assert 'hreflang="es-US"' not in (out / "index.html").read_text(encoding="utf-8")
