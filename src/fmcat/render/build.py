"""Build a generated MkDocs project with mkdocs' own functions, and publish it atomically.

The build goes into a hidden folder next to the output and replaces the old site with two
renames only once it has succeeded, so a failed render (a bad template, a warning in strict mode)
leaves the previous site as it was, and a reader never sees half a site.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fmcat.errors import FmcatError
from fmcat.paths import display_path

#: Written into every site fmcat publishes: an existing folder is replaced only if it has one.
MARKER = ".fmcat-render"


class BuildError(FmcatError):
    """mkdocs refused the generated project, or the site cannot be written."""


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _mkdocs_logs() -> Iterator[_Collect]:
    """Keep mkdocs' log lines (INFO chatter and warnings) off the terminal; hand back warnings."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    saved = logger.propagate, logger.level
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.WARNING)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.propagate, _ = saved
        logger.setLevel(saved[1])


def build_site(config_file: Path, site_dir: Path) -> None:
    """`mkdocs build --strict` of ``config_file`` into ``site_dir``, in this process."""
    # Material prints a banner about its end of life on import unless this is set; fmcat's
    # stderr is fmcat's own (docs/render.md says which Material version builds the site).
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    with _mkdocs_logs() as warnings:
        try:
            config = load_config(config_file=str(config_file), site_dir=str(site_dir.absolute()))
            config.plugins.on_startup(command="build", dirty=False)
            try:
                build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as error:
            details = "".join(f"\n  {message}" for message in warnings.messages)
            raise BuildError(f"mkdocs could not build the site: {error}{details}") from error
        if not (site_dir / "index.html").is_file():
            raise BuildError(f"mkdocs wrote no index.html to {display_path(site_dir)}")
        if warnings.messages:
            # `strict: true` aborts on warnings already; this catches any that slip past it.
            details = "".join(f"\n  {message}" for message in warnings.messages)
            raise BuildError(f"mkdocs warned while building the site:{details}")


def staging(output: Path) -> Path:
    """A fresh hidden folder beside ``output``, on the same file system, for the new site.

    Absolute, because MkDocs resolves a relative site_dir against the config file's folder.
    Made with mkdir rather than mkdtemp, whose 0700 mode the published site would keep.
    """
    parent = output.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            folder = parent / f".{output.name}.fmcat-{secrets.token_hex(4)}"
            try:
                folder.mkdir()
            except FileExistsError:
                continue
            return folder
        raise FileExistsError(f"no free staging name in {parent}")
    except OSError as error:
        raise BuildError(
            f"cannot write the site to {display_path(output)}: {error.strerror or error}"
        ) from error


def check_output(output: Path) -> None:
    """Refuse before any work if publishing would replace something that is not our site."""
    if output.is_symlink() or (output.exists() and not output.is_dir()):
        raise BuildError(f"{display_path(output)} exists and is not a folder; choose another -o")
    if output.is_dir() and any(output.iterdir()) and not (output / MARKER).exists():
        raise BuildError(
            f"{display_path(output)} exists and was not made by `fmcat render`; "
            "remove it or choose another -o (fmcat replaces only its own sites)"
        )
    cwd = Path.cwd().resolve()
    resolved = output.resolve()
    if resolved == cwd or resolved in cwd.parents:
        raise BuildError(f"-o {display_path(output)} would replace the current folder")


def publish(staged: Path, output: Path) -> None:
    """Put ``staged`` where ``output`` is, replacing an earlier site as late as possible."""
    (staged / MARKER).write_text(
        "This folder was made by `fmcat render`; it is replaced on the next render.\n",
        encoding="utf-8",
    )
    old = None
    try:
        if output.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{output.name}.old-", dir=output.parent))
            output.rename(old / "site")
        staged.rename(output)
    except OSError as error:
        if old is not None and not output.exists():
            (old / "site").rename(output)  # put the previous site back
        raise BuildError(
            f"cannot replace {display_path(output)}: {error.strerror or error}"
        ) from error
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def discard(staged: Path) -> None:
    shutil.rmtree(staged, ignore_errors=True)
