"""The README's Python example runs as it is written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_example_runs():
    text = README.read_text()
    section = text[text.index("## From Python") :]
    section = section[: section.index("\n## ", 1)]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "the section has a Python example"
    exec(compile(blocks[0], str(README), "exec"), {})
