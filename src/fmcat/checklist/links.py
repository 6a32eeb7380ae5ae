"""Where the checklist links to: the runbook section of a failure mode (`[tool.fmcat]
site_url`) and the line of a call (`repo_url`), the same addresses `fmcat render` makes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from fmcat.config import Project
from fmcat.errors import ConfigError
from fmcat.paths import display_path
from fmcat.render.code import RepoLinks, project_path
from fmcat.render.markdown import safe_url
from fmcat.render.view import anchor, page_slugs


@dataclass(frozen=True)
class Links:
    site: str | None = None
    repo: RepoLinks | None = None
    root: Path = Path()
    #: Dependency id -> its page's file name on the site.
    slugs: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, project: Project, names: Sequence[str]) -> Links:
        site = project.settings.site_url
        if site is not None and (
            not site.lower().startswith(("http://", "https://")) or safe_url(site) is None
        ):
            where = display_path(project.pyproject) if project.pyproject else "[tool.fmcat]"
            raise ConfigError(
                f"{where}: [tool.fmcat] site_url {site!r}: give the absolute http(s) URL "
                "where the runbook site is published"
            )
        return cls(
            site.rstrip("/") if site else None,
            RepoLinks.parse(project.settings.repo_url),
            project.root,
            page_slugs(names),
        )

    def runbook(self, dependency: str, mode: str) -> str | None:
        """The failure mode's section on the published site, as `fmcat render` names it."""
        if self.site is None or dependency not in self.slugs:
            return None
        page = quote(f"dependencies/{self.slugs[dependency]}.html")
        return safe_url(f"{self.site}/{page}#{anchor('fm', mode)}")

    def code(self, shown: str, line: int) -> str | None:
        """The line on the code host; ``shown`` is a path as fmcat shows it."""
        if self.repo is None:
            return None
        return safe_url(self.repo.url(project_path(shown, self.root), line))
