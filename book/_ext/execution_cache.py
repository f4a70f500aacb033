"""Sphinx extension: the execution cache follows the library, not only the chapters' own code.

myst-nb's cache (jupyter-cache) keys an executed notebook on its code cells alone. A chapter's
numbers also depend on `scaling_core` and on the published numbers it is checked against: after a
change there, an incremental build would take the old outputs from the cache and publish numbers the
code no longer gives. This extension fingerprints the files named by `execution_cache_sources` (glob
patterns relative to the book's root) and, when the fingerprint differs from the one the cache was
filled with, empties the cache and re-reads every notebook page, so that each chapter executes
again.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)
STAMP = "sources.sha256"


def fingerprint(root: Path, patterns: list[str]) -> str:
    """sha256 over the relative paths and contents of every file the patterns match."""
    digest = hashlib.sha256()
    files = sorted({path for pattern in patterns for path in root.glob(pattern) if path.is_file()})
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _cache_folder(app: Sphinx) -> Path:
    configured = getattr(app.config, "nb_execution_cache_path", "")
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def _invalidate_if_stale(app: Sphinx) -> None:
    cache = _cache_folder(app)
    stamp = cache / STAMP
    current = fingerprint(Path(app.srcdir), list(app.config.execution_cache_sources))
    stale = cache.is_dir() and (not stamp.is_file() or stamp.read_text(encoding="utf-8") != current)
    app.env.execution_cache_emptied = stale
    if stale:
        logger.info(
            "execution cache: the library or the published numbers changed; every chapter executes "
            "again"
        )
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current, encoding="utf-8")


def _notebooks_outdated(
    app: Sphinx, env: BuildEnvironment, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    if not getattr(env, "execution_cache_emptied", False):
        return []
    return sorted(name for name in env.found_docs if name.startswith("chapters/"))


def setup(app: Sphinx) -> dict[str, object]:
    app.add_config_value("execution_cache_sources", [], "env")
    app.connect("builder-inited", _invalidate_if_stale)
    app.connect("env-get-outdated", _notebooks_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
