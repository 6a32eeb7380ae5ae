"""Files the site ships besides its pages: a stylesheet and two vendored scripts.

The site must work from disk with no network (the on-call laptop on a train, a locked-down
incident room). Material loads two things from a CDN at view time, and both are vendored here,
copied from the npm packages named below into ``fmcat/templates/assets/vendor/`` with their
licenses; docs/render.md says how to update them:

- iframe-worker's shim, which lets Material's search worker run from ``file://``. Material's
  offline plugin uses a local copy when ``extra.polyfills`` names a URL containing
  "iframe-worker".
- mermaid.js for the home page's graph. Material fetches it only when no global ``mermaid``
  exists, so loading the vendored copy first through ``extra_javascript`` keeps it offline.

Each file's SHA-256 is pinned, and the test suite checks it, so an update is a reviewed change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable


@dataclass(frozen=True)
class Asset:
    #: Path under fmcat/templates/ and, the same, under the site's docs folder.
    path: str
    sha256: str | None = None
    #: Where it comes from, for the reader and for docs/render.md.
    origin: str = "fmcat"


STYLESHEET = Asset("assets/fmcat.css")
IFRAME_WORKER = Asset(
    "assets/vendor/iframe-worker/shim.js",
    "e8e412dbcfea9b7e31b5ffa288d7b6035915e714c542f4176a0cdbe262fc9609",
    "npm iframe-worker@1.0.4, shim/index.js (MIT)",
)
IFRAME_WORKER_LICENSE = Asset(
    "assets/vendor/iframe-worker/LICENSE",
    "dd69737a4768aab9f934a5aed9efab9561ac4062d4fdbe490d44369a2cf48b6b",
    "npm iframe-worker@1.0.4, LICENSE",
)
MERMAID = Asset(
    "assets/vendor/mermaid/mermaid.min.js",
    "581ed7d74bd9048d0e3a91363927d72ef22942d7722546b27f7cc29e35390eb8",
    # Major version 11, the one Material's own loader asks the CDN for.
    "npm mermaid@11.17.2, dist/mermaid.min.js (MIT)",
)
MERMAID_LICENSE = Asset(
    "assets/vendor/mermaid/LICENSE",
    "ec9fb67dcb25eccc416ed56e1aab819222c805a2a4bfe4cb19e7556bf2ffde80",
    "npm mermaid@11.17.2, LICENSE",
)

BASE_ASSETS = (STYLESHEET, IFRAME_WORKER, IFRAME_WORKER_LICENSE)
#: Only a site with a graph carries mermaid.js (3.5 MB).
GRAPH_ASSETS = (MERMAID, MERMAID_LICENSE)
VENDORED = (IFRAME_WORKER, IFRAME_WORKER_LICENSE, MERMAID, MERMAID_LICENSE)


def _resource(asset: Asset) -> Traversable:
    return files("fmcat").joinpath("templates", *asset.path.split("/"))


def read(asset: Asset) -> bytes:
    return _resource(asset).read_bytes()


def verify(asset: Asset) -> bool:
    """True when the packaged file is the pinned one (or nothing is pinned)."""
    return asset.sha256 is None or hashlib.sha256(read(asset)).hexdigest() == asset.sha256


def assets_for(with_graph: bool) -> tuple[Asset, ...]:
    return BASE_ASSETS + (GRAPH_ASSETS if with_graph else ())
