"""The set-up files agree: pyproject.toml extras, constraints.txt, environment.yml, binder/, Makefile.

CI, `make lab`, Binder and conda users must all get the same versions, and torch must always be
pinned exactly (an unpinned torch pulls a multi-GB CUDA build).
"""

import os
import re
import shutil
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
TORCH_PIN = "==2.13.0"
PYTHON = "3.11"


def pyproject():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def extra_requirements(*extras):
    """Requirements of the given extras, with self-references such as tutorgrad[viz] expanded."""
    project = pyproject()["project"]
    optional = project["optional-dependencies"]
    reqs, todo, seen = [], list(extras), set()
    while todo:
        extra = todo.pop()
        if extra in seen:
            continue
        seen.add(extra)
        for line in optional[extra]:
            req = Requirement(line)
            if canonicalize_name(req.name) == canonicalize_name(project["name"]):
                todo.extend(req.extras)
            else:
                reqs.append(req)
    return reqs


def constraints():
    """constraints.txt as {canonical name: version}; every line must be an exact pin."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;=<>!~+]+)", line)
        assert m, f"constraints.txt: not an exact pin: {line!r}"
        name = canonicalize_name(m.group(1))
        assert name not in pins, f"constraints.txt pins {name} twice"
        pins[name] = m.group(2)
    return pins


def environment_yml():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def conda_and_pip_deps():
    deps = environment_yml()["dependencies"]
    conda = [d for d in deps if isinstance(d, str)]
    pip_sections = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs exactly one pip section"
    return conda, pip_sections[0]


def non_comment_lines(path):
    return [l.split("#", 1)[0].strip() for l in path.read_text().splitlines() if l.split("#", 1)[0].strip()]


# --- pyproject.toml and constraints.txt -------------------------------------------------------


def test_extras_exist():
    optional = pyproject()["project"]["optional-dependencies"]
    assert {"viz", "lab", "test", "bench"} <= optional.keys()
    assert pyproject()["project"]["dependencies"] == ["numpy"]
    names = {canonicalize_name(r.name) for r in extra_requirements("lab")}
    assert {"jupyterlab", "graphviz", "ipywidgets", "matplotlib", "tqdm"} <= names


@pytest.mark.parametrize("extra", ["viz", "lab", "test", "bench"])
def test_every_extra_requirement_is_pinned(extra):
    pins = constraints()
    for req in extra_requirements(extra):
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} (extra {extra!r}) is not pinned in constraints.txt"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"constraints.txt pins {name}=={pins[name]}, outside pyproject's {req}"
        )
    assert "numpy" in pins


def _closure(dist_name, extras):
    """Distributions that `pip install dist_name[extras]` pulls in, read from installed metadata."""
    env = default_environment()
    found, todo = {}, [(dist_name, tuple(extras))]
    while todo:
        name, extras = todo.pop()
        dist = metadata.distribution(name)
        key = canonicalize_name(dist.metadata["Name"])
        if key in found and set(extras) <= found[key][1]:
            continue
        prev = found.get(key, (dist, set()))[1]
        found[key] = (dist, prev | set(extras))
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or any(
                req.marker.evaluate({**env, "extra": e}) for e in ("", *extras)
            ):
                todo.append((req.name, tuple(req.extras)))
    return {k: v[0] for k, v in found.items()}


def test_installed_versions_equal_constraints():
    """Everything the viz, lab and test extras pull in is pinned, and installed at that pin."""
    try:
        metadata.distribution("tutorgrad")
    except metadata.PackageNotFoundError:
        pytest.skip("tutorgrad is not installed in this environment (make test installs it)")
    pins = constraints()
    closure = _closure("tutorgrad", ["viz", "lab", "test"])
    closure.pop("tutorgrad")
    unpinned = sorted(set(closure) - set(pins))
    assert not unpinned, f"pulled in by the extras but missing from constraints.txt: {unpinned}"
    wrong = {
        name: (dist.version, pins[name])
        for name, dist in closure.items()
        if Version(dist.version).public != Version(pins[name]).public
    }
    assert not wrong, f"installed (version, pin) differ: {wrong}"


# --- torch ------------------------------------------------------------------------------------


def test_torch_pinned_exactly_everywhere():
    project = pyproject()["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    reqs = [Requirement(l) for l in lines]
    _, pip = conda_and_pip_deps()
    reqs += [Requirement(l) for l in pip if not l.startswith("-")]
    for name in ("requirements.txt", "requirements3.txt"):
        path = ROOT / "binder" / name
        if path.exists():
            reqs += [Requirement(l) for l in non_comment_lines(path) if not l.startswith("-")]
    torch = [r for r in reqs if canonicalize_name(r.name) == "torch"]
    assert torch, "torch should be in the test extra"
    for r in torch:
        assert str(r.specifier) == TORCH_PIN, f"torch must be pinned {TORCH_PIN}, found {r}"
    assert "torch" in constraints() and "==" + constraints()["torch"] == TORCH_PIN
    # Shell scripts: any torch they mention must carry the pin.
    for path in (ROOT / "binder" / "postBuild", ROOT / "Makefile"):
        for line in non_comment_lines(path):
            for m in re.finditer(r"(?<![\w-])torch(?![\w-])(\S*)", line):
                assert m.group(1).startswith(TORCH_PIN), f"{path.name}: unpinned torch in {line!r}"


# --- environment.yml --------------------------------------------------------------------------


def test_environment_yml_matches_constraints():
    conda, pip = conda_and_pip_deps()
    assert f"python={PYTHON}" in conda
    assert "graphviz" in conda, "the conda graphviz package provides `dot`"
    assert "pip" in conda
    assert "-e ." in pip
    assert "-c constraints.txt" in pip
    pins = constraints()
    env_pins = {}
    for line in pip:
        if line.startswith("-"):
            continue
        req = Requirement(line)
        spec = str(req.specifier)
        assert spec.startswith("==") and "," not in spec, f"environment.yml: not an exact pin: {line}"
        env_pins[canonicalize_name(req.name)] = spec[2:]
    wanted = {canonicalize_name(r.name) for r in extra_requirements("viz", "lab")} | {"numpy"}
    assert wanted <= env_pins.keys(), f"environment.yml lacks pins for {sorted(wanted - env_pins.keys())}"
    for name, version in env_pins.items():
        assert pins.get(name) == version, f"environment.yml pins {name}=={version}, constraints.txt {pins.get(name)}"


# --- binder/ ----------------------------------------------------------------------------------


def test_binder_config():
    binder = ROOT / "binder"
    assert (binder / "runtime.txt").read_text().strip() == f"python-{PYTHON}"
    assert "graphviz" in non_comment_lines(binder / "apt.txt")
    # These would switch repo2docker to another build pack or skip the constraints.
    for other in ("environment.yml", "Dockerfile", "requirements.txt", "setup.py"):
        assert not (binder / other).exists(), f"binder/{other} would bypass binder/postBuild's pins"
    post_build = binder / "postBuild"
    assert os.access(post_build, os.X_OK), "binder/postBuild must be executable"
    script = "\n".join(non_comment_lines(post_build))
    install = re.search(r"^pip install .*$", script, re.M)
    assert install, "binder/postBuild must pip install the package"
    assert "-c constraints.txt" in install.group(0)
    assert re.search(r"-e '?\.\[viz,lab\]", install.group(0))
    assert "jupyter trust" in script
    assert 'jupyter labextension disable "@jupyterlab/apputils-extension:announcements"' in script


def test_makefile_installs_with_constraints():
    installs = [l for l in non_comment_lines(ROOT / "Makefile") if "pip install" in l]
    assert installs
    for line in installs:
        assert "-c constraints.txt" in line, line


def _repo2docker():
    here = Path(sys.executable).parent / "jupyter-repo2docker"
    return str(here) if here.exists() else shutil.which("jupyter-repo2docker")


def test_repo2docker_dockerfile():
    exe = _repo2docker()
    if exe is None:
        pytest.skip("jupyter-repo2docker is not installed (it comes with the test extra)")
    # Binder builds as uid 1000; as root repo2docker would render a root-owned image.
    proc = subprocess.run(
        [exe, "--no-build", "--debug", "--user-id", "1000", "--user-name", "jovyan", str(ROOT)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    dockerfile = proc.stdout
    assert f"python={PYTHON}" in proc.stderr + proc.stdout
    # Build-context file names are escaped ("." -> "-2e"): decode them to find the conda lock file.
    decoded = re.sub(r"-([0-9a-f]{2})", lambda m: chr(int(m.group(1), 16)), dockerfile)
    assert f"environment.py-{PYTHON}-linux-64.lock" in decoded
    assert re.search(r"apt-get install .*\bgraphviz\b", dockerfile)
    assert re.search(r"^RUN \./binder/postBuild$", dockerfile, re.M)
