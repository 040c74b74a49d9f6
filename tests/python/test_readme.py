"""The Python examples of README.md and host-shim/python/README.md run and
print what the READMEs show (the ``# ...`` line after each print)."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from conftest import REPO

READMES = [REPO / "README.md", REPO / "host-shim" / "python" / "README.md"]


def python_blocks(path: Path) -> list[str]:
    blocks, current, inside = [], [], False
    for line in path.read_text().splitlines():
        if line.startswith("```"):
            if inside:
                blocks.append("\n".join(current))
            inside, current = line == "```python", []
        elif inside:
            current.append(line)
    return blocks


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(REPO)))
def test_readme_python_examples(readme: Path) -> None:
    blocks = python_blocks(readme)
    assert blocks, f"no python example in {readme}"
    for block in blocks:
        expected = [
            line[2:] for line in block.splitlines() if line.startswith(("# [", "# {"))
        ]
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, str(readme), "exec"), {})  # noqa: S102 - the README's own code
        assert out.getvalue().splitlines() == expected, block
