"""The nbval sanitize rules (tutorgrad/nbval_sanitize.cfg) are all read by nbval, and each masks only what varies."""
import re
from pathlib import Path

import pytest

nbval_plugin = pytest.importorskip("nbval.plugin")

CFG = Path(__file__).resolve().parent.parent / "tutorgrad" / "nbval_sanitize.cfg"


def rules():
    return dict(nbval_plugin.get_sanitize_patterns(CFG.read_text()))


def test_nbval_reads_every_rule():
    sections = re.findall(r"(?m)^\[(.+)\]$", CFG.read_text())
    # nbval silently ignores a rule it cannot parse (e.g. "replace:" without a space): count them.
    assert len(rules()) == len(sections) == 2, (sections, rules())


def sanitize(text):
    for regex, replace in rules().items():
        text = re.sub(regex, replace, text)
    return text


def test_memory_addresses_are_masked_and_nothing_else():
    assert sanitize("((<MulBackward0 object at 0x7f3a2c1b9d80>, 0), (None, 0))") == \
        sanitize("((<MulBackward0 object at 0x55d0c0ffee00>, 0), (None, 0))") == \
        "((<MulBackward0 object at 0x...>, 0), (None, 0))"
    for text in ["tensor([0.1234, 0x10])", "x at 0x1f", "MulBackward0 object", "at 0x7f3a2c1b9d80"]:
        assert sanitize(text) == text
    assert sanitize("<AddBackward0 object at 0x7f>") != sanitize("<MulBackward0 object at 0x7f>")


def test_svg_is_masked_only_as_a_whole_output():
    svg = '<?xml version="1.0"?>\n<svg width="8pt">\n<text>x</text>\n</svg>\n'
    assert sanitize(svg) == "<svg: compared through its text form>"
    assert sanitize("see <svg> below") == "see <svg> below"
