"""The documentation builds without warnings (mkdocs --strict) from pages generated from code and data, the
Python tutorial's code runs during the build, and the docs cite no file outside the repository."""

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import microneedling

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("generated", "__pycache__"))
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    # the comparisons themselves run in test_validation_fast.py; their page is checked below
    subprocess.run([sys.executable, str(tmp_path / "docs" / "gen_pages.py"), "--validation", "none",
                    "--out", str(tmp_path / "docs" / "generated")], check=True, cwd=tmp_path)
    params = (tmp_path / "docs" / "generated" / "parameters.md").read_text()
    assert "| source |" in params and "HFUS50MHz2019" in params
    cli = (tmp_path / "docs" / "generated" / "cli.md").read_text()
    assert "## `microneedling demo`" in cli and "## `microneedling validate`" in cli
    api = tmp_path / "docs" / "generated" / "api"
    assert "::: microneedling.mechanics.injury" in (api / "mechanics.md").read_text()
    assert "[`mn.run_course`][microneedling.course.run_course]" in (api / "top-level.md").read_text()
    mkdocs = Path(sys.executable).with_name("mkdocs")
    proc = subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "-f", str(tmp_path / "mkdocs.yml"),
                           "-d", str(tmp_path / "site")], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = tmp_path / "site"
    assert (site / "generated" / "parameters" / "index.html").exists()
    assert (site / "architecture" / "index.html").exists()
    # the API reference renders the objects (their anchors exist) ...
    assert 'id="microneedling.course.run_course"' in (site / "generated" / "api" / "core" / "index.html").read_text()
    # ... and the tutorial's blocks ran: their printed output is on the page
    tutorial = (site / "python-api" / "index.html").read_text()
    assert "sources used; the first three" in tutorial and "responders" in tutorial


def test_validation_page_lists_each_comparison():
    spec = importlib.util.spec_from_file_location("gen_pages", ROOT / "docs" / "gen_pages.py")
    gen_pages = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen_pages)
    from microneedling.validation.registry import registered, run_comparison

    microneedling.configure()
    result = run_comparison(registered(fast_only=True)[0])
    page = gen_pages.validation_page([result], fast=True)
    assert f"| {result.title} |" in page and ("| pass |" in page or "**FAIL**" in page)
    assert "not run" in gen_pages.validation_page(None)


def test_docs_cite_no_file_outside_the_repository():
    """DESIGN.md is not in the repository; the docs point to docs/architecture.md and docs/design-notes.md."""
    pages = [ROOT / "README.md", ROOT / "benchmarks" / "RESULTS.md",
             *(p for p in (ROOT / "docs").rglob("*.md") if "generated" not in p.parts)]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for gone in ("DESIGN.md", "Engine I", "engine1", "engine2"):
            assert gone not in text, f"{page.relative_to(ROOT)} mentions {gone}"
