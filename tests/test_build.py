"""`handouts build`: the output contract, incremental rebuilds, atomic writes, narrowing."""

from __future__ import annotations

import hashlib
import json

from conftest import edit_source, manifest, snapshot
from pipeline.build import BuildOptions, build
from pipeline.project import Project


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
        assert set(artifact) == {"path", "format", "variant", "condition", "guide", "locale", "bytes", "sha256"}
    formats = {a["format"] for a in listed}
    assert formats == {"html", "pdf", "epub", "sms", "catalogue", "hazard-log"}


def test_manifest_names_conditions_and_guides(built, library):
    listed = manifest(built)["artifacts"]
    pdfs = [a for a in listed if a["format"] == "pdf"]
    assert {a["condition"] for a in pdfs} == set(library.conditions)
    assert {a["variant"] for a in pdfs} == {"a4", "letter", "large-print"}
    assert {a["guide"] for a in listed if a["format"] == "epub"} == set(library.guides)


def small_build(project, **options):
    return build(Project(project), BuildOptions(out_dir=project / "outputs", workers=1, **options))


def test_noop_build_rewrites_nothing(project):
    first = small_build(project)
    assert not first.failed
    before = snapshot(project / "outputs")
    again = small_build(project)
    assert {o.status for o in again.outcomes} == {"unchanged"}
    assert snapshot(project / "outputs") == before


def test_one_edit_rebuilds_only_what_depends_on_it(project):
    small_build(project)
    before = snapshot(project / "outputs")
    edit_source(project / "sources/conditions/calf-strain.yaml", "Pain that can make it hard to walk",
                "Pain that can make walking hard")
    report = small_build(project)
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built"}
    assert rebuilt == {
        "html/calf-strain.html", "pdf/calf-strain.pdf", "pdf/calf-strain.letter.pdf",
        "pdf/calf-strain.large-print.pdf", "epub/small-guide.epub", "index.html",
        # The Spanish calf-strain was made from the old English: it leaves the Spanish messages.
        "es/sms/messages.csv",
    }
    assert report.removed == ["es/sms/calf-strain.txt"]
    after = snapshot(project / "outputs")
    changed = {path for path in after if after[path] != before.get(path)} | {p for p in before if p not in after}
    assert changed == rebuilt | {"manifest.json", "es/sms/calf-strain.txt"}


def test_deleted_source_takes_its_outputs_with_it(project):
    small_build(project)
    edit_source(project / "sources/guides/small-guide.yaml", "  - condition: calf-strain\n", "")
    edit_source(project / "sources/conditions/dvt.yaml", "conditions: [calf-strain]", "conditions: []")
    edit_source(project / "sources/topics/price-method.yaml", "conditions: [calf-strain]", "conditions: []")
    (project / "sources/conditions/calf-strain.yaml").unlink()
    report = small_build(project)
    assert not report.failed
    assert not list((project / "outputs").rglob("calf-strain*"))
    paths = {a["path"] for a in manifest(project / "outputs")["artifacts"]}
    assert not [p for p in paths if "calf-strain" in p]
    assert "sms/calf-strain.txt" in report.removed


def test_only_and_format_narrow_the_build(project):
    report = small_build(project, only=("dvt",), formats=("html", "sms"))
    built_paths = {o.job.path for o in report.outcomes if o.status == "built"}
    assert built_paths == {"html/dvt.html", "sms/dvt.txt", "es/sms/dvt.txt", "index.html"}


def test_no_temporary_files_are_left(project):
    small_build(project)
    assert not [p for p in (project / "outputs").rglob("*.tmp")]


def test_build_for_another_publisher_into_another_folder(cli, project, tmp_path):
    out = tmp_path / "uk"
    result = cli("build", "--publisher", "uk-example", "--out", str(out), "-j", "1", project_dir=project)
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text())["publisher"] == "uk-example"
    assert not (project / "outputs").exists()


def test_unknown_publisher_is_a_clean_error(cli, project):
    result = cli("build", "--publisher", "mars", project_dir=project)
    assert result.exit_code == 1
    assert "error: unknown publisher 'mars' (known: uk-example, us-default)" in result.output


def test_bad_source_leaves_outputs_untouched(cli, project):
    small_build(project)
    before = snapshot(project / "outputs")
    edit_source(project / "sources/conditions/dvt.yaml", "  - level: emergency", "  - level: emergncy")
    result = cli("build", project_dir=project)
    assert result.exit_code == 1
    assert "sources/conditions/dvt.yaml:36:12: error: 'emergncy' is not one of" in result.output
    assert snapshot(project / "outputs") == before


def test_progress_without_a_terminal_is_one_line_per_artifact(cli, project):
    result = cli("build", "-j", "1", "--format", "sms", project_dir=project)
    lines = result.output.splitlines()
    assert any(line.startswith("built     sms       sms/dvt.txt (") for line in lines)
    assert "format     built  unchanged  failed" in lines
    assert lines[-1].startswith("Build finished in ")


def test_noop_build_imports_no_renderer_and_parses_nothing(project):
    import subprocess
    import sys

    small_build(project)
    script = (
        "import sys; from pathlib import Path; from pipeline.build import build, BuildOptions; "
        "from pipeline.project import Project; "
        f"r = build(Project(Path({str(project)!r})), BuildOptions(out_dir=Path({str(project / 'outputs')!r}), workers=1)); "
        "assert {o.status for o in r.outcomes} == {'unchanged'}, r.outcomes; "
        "heavy = sorted(m for m in ('weasyprint', 'pypandoc', 'jinja2', 'yaml', 'jsonschema', 'segno') if m in sys.modules); "
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_a_tampered_artifact_is_rebuilt(project):
    small_build(project)
    (project / "outputs/sms/dvt.txt").write_text("tampered")
    report = small_build(project)
    assert [o.job.path for o in report.outcomes if o.status == "built"] == ["sms/dvt.txt"]
    assert (project / "outputs/sms/dvt.txt").read_text().startswith("KneeInfo: ")


def test_progress_on_a_terminal_draws_a_bar_per_format(project):
    import io

    from pipeline.progress import Reporter

    screen = io.StringIO()
    report = build(Project(project), BuildOptions(out_dir=project / "outputs", workers=1, formats=("html", "sms")),
                   observer=Reporter(interactive=True, stream=screen))
    assert not report.failed
    final = screen.getvalue().rsplit("\x1b[J", 1)[-1].splitlines()
    assert final == [
        "catalogue  [########################]    1/1",
        "html       [########################]   10/10",
        # English and the fixture's Spanish (es/sms/): SMS is a localized format.
        "sms        [########################]    6/6",
    ]


def test_a_worker_that_dies_is_a_failed_artifact_not_a_crash(project):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    def children(pid: int) -> list[int]:
        found = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(proc.name))
            except (OSError, ValueError, IndexError):
                continue
        return found

    def is_worker(pid: int) -> bool:
        try:
            return b"multiprocessing.forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False

    build_process = subprocess.Popen([sys.executable, "-m", "pipeline", "build", "-j", "2", "--project", str(project)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = False
    deadline = time.monotonic() + 60
    while not killed and time.monotonic() < deadline and build_process.poll() is None:
        # build -> fork server -> workers (forks of the server: the same command line; the
        # server's other children, such as the gcc that ctypes runs, are not workers)
        for worker in [w for server in children(build_process.pid) for w in children(server)
                       if is_worker(w)]:
            try:
                os.kill(worker, signal.SIGKILL)
                killed = True
                break
            except ProcessLookupError:  # it finished between the look and the kill
                continue
        time.sleep(0.02)
    assert killed, "no worker seen"
    out, err = build_process.communicate(timeout=300)
    assert build_process.returncode == 1
    assert "a worker process died" in err
    assert "Traceback" not in err + out
    listed = {a["path"] for a in manifest(project / "outputs")["artifacts"]}
    assert all((project / "outputs" / path).is_file() for path in listed)
    # The next build makes what the dead worker could not.
    assert small_build(project).failed == []


def test_renaming_a_page_rebuilds_the_pages_that_link_to_it(project):
    small_build(project)
    edit_source(project / "sources/topics/price-method.yaml",
                'title: "Caring for a strain at home: the PRICE method"', 'title: "The PRICE method for strains"')
    report = small_build(project)
    rebuilt = {o.job.path for o in report.outcomes if o.status == "built"}
    # calf-strain links to price-method, so its page and leaflets show the new title.
    assert {"html/price-method.html", "html/calf-strain.html", "pdf/calf-strain.pdf",
            "pdf/calf-strain.letter.pdf", "pdf/calf-strain.large-print.pdf",
            "epub/small-guide.epub", "index.html"} == rebuilt
    assert "The PRICE method for strains" in (project / "outputs/html/calf-strain.html").read_text()


def test_every_locale_of_the_publisher_is_built_into_its_folder(project):
    report = small_build(project, formats=("sms",))
    assert not report.failed and report.notices == []
    listed = {a["path"]: a["locale"] for a in manifest(project / "outputs")["artifacts"]}
    assert listed["sms/dvt.txt"] == "en-US" and listed["es/sms/dvt.txt"] == "es-US"
    assert listed["index.html"] == "en-US"
    spanish = (project / "outputs/es/sms/dvt.txt").read_text(encoding="utf-8")
    assert "¿Le cuesta respirar de pronto? Llame al 911 ahora." in spanish
    assert spanish.endswith("https://knee.example/es/html/dvt.html")
    # Formats whose templates still hold fixed English are not built in Spanish yet.
    small_build(project, formats=("html",))
    assert not (project / "outputs/es/html").exists()
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
