"""The documentation builds without warnings (mkdocs --strict) from pages generated from code and data."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_strict(tmp_path):
    shutil.copytree(ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("generated"))
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    subprocess.run([sys.executable, str(tmp_path / "docs" / "gen_pages.py"), "--fast",
                    "--out", str(tmp_path / "docs" / "generated")], check=True, cwd=tmp_path)
    params = (tmp_path / "docs" / "generated" / "parameters.md").read_text()
    assert "| source |" in params and "HFUS50MHz2019" in params
    cli = (tmp_path / "docs" / "generated" / "cli.md").read_text()
    assert "## `microneedling demo`" in cli and "## `microneedling validate`" in cli
    mkdocs = Path(sys.executable).with_name("mkdocs")
    proc = subprocess.run([str(mkdocs), "build", "--strict", "--quiet", "-f", str(tmp_path / "mkdocs.yml"),
                           "-d", str(tmp_path / "site")], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert (tmp_path / "site" / "generated" / "parameters" / "index.html").exists()
