"""`fmcat checklist`: the code-review checklist for a change, in GitHub-flavoured Markdown.

The steps, each in its own module: read the change from git (`git.py`, parsed by `diff.py`);
scan the service as `fmcat lint` does and decide each item from the scan's facts and findings
(`collect.py`, `items.py`); lay the items out as Markdown that fits a pull-request comment
(`write.py`, escaping in `markdown.py`).
"""

from __future__ import annotations

from fmcat.checklist.collect import ChecklistOptions, build_checklist
from fmcat.checklist.write import COMMENT_LIMIT, write_markdown

__all__ = ["COMMENT_LIMIT", "ChecklistOptions", "build_checklist", "write_markdown"]
