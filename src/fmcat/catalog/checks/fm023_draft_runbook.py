from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from fmcat.catalog.checks.base import CatalogCheck
from fmcat.catalog.drafts import shown, todo_values
from fmcat.findings import Finding

if TYPE_CHECKING:
    from fmcat.catalog.load import Catalog, Entry

#: How many of the TODO values the message names; the count covers the rest.
_NAMED = 3


class DraftRunbook(CatalogCheck):
    """
    A catalog file whose values still say `TODO` is a draft: `fmcat init` writes `owner: TODO`
    and `description: "TODO: ..."` for what only people know. Until they are filled in, the
    runbook page is marked as a draft (on the page and in the navigation), and this rule
    reports the file once, at its first TODO, naming the values still to write. Comments that
    say TODO do not count: they are notes to the next editor, not runbook text.
    """

    code = "FM023"
    name = "draft-runbook"
    summary = "A runbook still holds TODO values, so it is a draft"

    INVALID = (
        """\
dependency: redis
description: "TODO: what the service uses redis for"  # expect: FM023 "runbook is a draft"
owner: TODO
kind: cache
criticality: optional
""",
    )
    VALID = (
        """\
dependency: redis
description: Product cache in front of the catalog database
owner: team-checkout  # TODO: move to team-platform next quarter
kind: cache
criticality: optional
""",
    )

    def check(self, entry: Entry, catalog: Catalog) -> Iterator[Finding]:
        found = list(todo_values(entry.source.data))
        if not found:
            return
        names = ", ".join(shown(path) for path in found[:_NAMED])
        more = f" and {len(found) - _NAMED} more" if len(found) > _NAMED else ""
        count = len(found)
        yield self.finding(
            entry,
            found[0],
            f"runbook is a draft: {count} value{'s' * (count != 1)} still say TODO "
            f"({names}{more}); write them, then the page is no longer marked as a draft",
        )
