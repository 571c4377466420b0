"""The README's instructor commands work as written.

"Checking the lessons in your own CI" is run exactly as the README spells it, in a folder outside this
repository that holds only a copy of some lessons (what an instructor's own repository has), with the
installed tutorgrad: no tests/ folder, no pyproject.toml. (The JupyterHub recipe is run by
tests/test_browser.py, in a real browser.)
"""
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ["05-computation-graph.ipynb"]  # it has graph drawings: SVG, which the sanitize file masks


def readme_commands(section):
    """The shell lines of the ```sh blocks in the README section whose bold title starts with ``section``."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"**{section}")
    end = min(i for i in (text.find("\n**", start + 1), text.find("\n## ", start + 1), len(text)) if i > 0)
    blocks = re.findall(r"```sh\n(.*?)```", text[start:end], re.S)
    return [line for block in blocks for line in block.splitlines() if line.strip()]


def test_ci_command_works_outside_the_repository(tmp_path):
    commands = [c for c in readme_commands("Checking the lessons in your own CI") if "notebooks/" in c]
    outside = [c for c in commands if "--nbval" in c.split("#")[0]]
    assert len(outside) == 1, f"the README should give one command for checking the lessons elsewhere: {commands}"
    (tmp_path / "notebooks").mkdir()
    for lesson in LESSONS:
        shutil.copy(ROOT / "notebooks" / lesson, tmp_path / "notebooks" / lesson)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])  # this venv's pytest
    proc = subprocess.run(["bash", "-ec", outside[0]], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    summary = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    assert proc.returncode == 0, \
        f"`{outside[0]}` failed outside the repository:\n{proc.stdout[-4000:]}\n{proc.stderr[-2000:]}"
    assert re.search(r"\d+ passed", summary) and "failed" not in summary and "error" not in summary, summary
    assert not (tmp_path / ".pytest_cache").exists()


def test_the_sanitize_file_ships_with_the_package():
    from tutorgrad import nbval_sanitize
    assert nbval_sanitize.PATH.is_file() and nbval_sanitize.PATH.parent == ROOT / "tutorgrad"
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert nbval_sanitize.PATH.name in package_data["tutorgrad"], "a wheel would leave the sanitize file out"
    out = subprocess.run([sys.executable, "-m", "tutorgrad.nbval_sanitize"], capture_output=True, text=True,
                         cwd="/", check=True).stdout.strip()
    assert Path(out) == nbval_sanitize.PATH
    assert "[svg]" in nbval_sanitize.PATH.read_text()
