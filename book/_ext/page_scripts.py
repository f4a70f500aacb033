"""Sphinx extension: include each page script once.

jupyter-book 1.0 registers sphinx-thebe's configuration script twice, which makes every page raise
"Identifier 'THEBE_JS_URL' has already been declared" in the browser. Dropping exact duplicates from
the page's script list, keeping the first, removes the error without changing what is loaded.
"""

from __future__ import annotations

from sphinx.application import Sphinx


def _drop_duplicate_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict, doctree: object
) -> None:
    seen: set[tuple[str, str]] = set()
    unique = []
    for script in context.get("script_files", []):
        # The same script is registered once with filename None and once with "": compare what is
        # emitted.
        key = (
            getattr(script, "filename", None) or "",
            repr(sorted(getattr(script, "attributes", {}).items())),
        )
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = (
        unique  # in place: later handlers add page scripts to this same list
    )


def setup(app: Sphinx) -> dict[str, object]:
    app.connect("html-page-context", _drop_duplicate_scripts)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
