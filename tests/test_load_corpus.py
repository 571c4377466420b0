"""``tutorgrad.load`` on thousands of damaged and hand-made files (``tests/savefile_corpus.py``).

The corpus is generated from a fixed seed: every bit of every ZIP record of a small saved file flipped,
every truncation of it, random bit flips, overwritten bytes and changed header fields in larger files,
and hand-made files for every kind of damage the format's documentation lists (compression, encryption,
zip bombs, strange entry names, non-strict JSON, wrong types in the index, forged ``.npy`` headers,
pickles that would run code). It runs in a child process whose address space is capped a few hundred
MB above what it needs, so a load that tried to allocate what a forged header claims would fail with
``MemoryError``, and under a timeout, so a hang fails too.

Each file must load exactly as saved or be refused with ``UnpicklingError`` and a short message, and the
pickle payloads must not have run. ``TUTORGRAD_CORPUS_SEED=N`` runs another corpus (for exploring).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MEMORY_MB = 200  # MB of address space allowed above what the child uses once it has built the corpus
TIMEOUT = 120    # seconds; the whole run takes a few seconds on 2 cores


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and RLIMIT_AS (Linux)")
def test_every_damaged_or_forged_file_loads_exactly_or_is_refused(tmp_path):
    marker = tmp_path / "code-ran"
    seed = os.environ.get("TUTORGRAD_CORPUS_SEED", "0")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([str(HERE.parent), str(HERE)]))
    proc = subprocess.run([sys.executable, str(HERE / "savefile_corpus.py"), "--seed", seed, "--marker", str(marker),
                           "--memory-mb", str(MEMORY_MB)], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 0, f"the corpus run crashed:\n{proc.stderr[-3000:]}"
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    print({k: v for k, v in result.items() if k != "failures"})
    assert not result["failures"], (f"{len(result['failures'])} of {result['cases']} files broke load's promise:\n"
                                    + "\n".join(result["failures"][:40]))
    assert not result["code_ran"] and not marker.exists(), "a pickle payload in the corpus ran"
    assert result["limit_bites"], "the memory limit did not stop a large allocation: the test could not fail"
    assert result["cases"] >= 5000 and result["counts"]["refuse"] >= 150 and result["counts"]["load"] >= 5
