"""`fmcat checklist` of a monorepo: one checklist per service, in one comment (docs/org.md)."""

from __future__ import annotations

import os

from fmcat.checklist import ChecklistOptions, build_checklist, write_markdown
from fmcat.checklist.write import BUDGET
from fmcat.cli.console import note, progress_bar, report
from fmcat.org.discover import Org


def checklist_org(org: Org, base: str | None) -> int:
    """Each service's checklist as `fmcat checklist <service>` prints it, in service order;
    the comment's size budget is shared out equally, so the whole still fits in one comment."""
    budget = BUDGET // max(len(org.services), 1)
    for index, service in enumerate(org.services):
        result = build_checklist(
            ChecklistOptions(
                path=service.root,
                base=base,
                use_cache=os.environ.get("FMCAT_NO_CACHE", "") in ("", "0"),
                progress=progress_bar("scanning"),
                project=service.project,
                shared=service.shared_dir,
            )
        )
        for message in result.notes:
            note(f"{service.name}: {message}")
        report(("\n" if index else "") + write_markdown(result, budget))
    note(f"checklists of {len(org.services)} services")
    return 0
