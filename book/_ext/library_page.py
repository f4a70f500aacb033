"""Sphinx extension: the library page, generated from `scaling_core` itself.

The `library-modules` directive lists every module of the package with the first paragraph of its
docstring, the chapters that import it (the first of them introduces it) and its public names with
the first line of each docstring. Generated at every build, the page cannot fall behind the code.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective

PACKAGE = "scaling_core"
DIRECTIVE = "library-modules"


def modules() -> list[str]:
    """Every public module of the package, in import-path order."""
    package = importlib.import_module(PACKAGE)
    names = [PACKAGE]
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{PACKAGE}."):
        if not any(part.startswith("_") for part in info.name.split(".")):
            names.append(info.name)
    return sorted(names)


def first_paragraph(text: str | None) -> str:
    return " ".join((inspect.cleandoc(text or "").split("\n\n") or [""])[0].split())


def public_names(module: object) -> list[str]:
    """The module's `__all__`, or the functions and classes it defines that do not start with
    `_`."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and getattr(value, "__module__", None) == module.__name__
    ]


def importers(module: str, chapters: dict[str, str]) -> list[str]:
    """Chapters (in reading order) whose code imports `module` or one of its submodules."""
    pattern = re.compile(
        rf"(from|import)\s+{re.escape(module)}(\.[\w.]+)?\s+(import|$)|"
        rf"from\s+{re.escape(module.rpartition('.')[0])}\s+import\s+[^\n]*\b"
        rf"{re.escape(module.rpartition('.')[2])}\b",
        re.M,
    )
    return [docname for docname, text in chapters.items() if pattern.search(text)]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def library_markdown(srcdir: Path, chapter_docs: list[str]) -> str:
    chapters = {name: (srcdir / f"{name}.md").read_text(encoding="utf-8") for name in chapter_docs}
    lines = ["| module | what it is for | introduced in | also used in |", "|---|---|---|---|"]
    details = []
    for name in modules():
        module = importlib.import_module(name)
        users = importers(name, chapters)
        introduced = f"{{doc}}`/{users[0]}`" if users else "—"
        also = ", ".join(f"{{doc}}`/{user}`" for user in users[1:]) or "—"
        lines.append(
            f"| `{name}` | {_cell(first_paragraph(module.__doc__))} | {introduced} | {also} |"
        )
        entries = [
            f"- `{public}`: "
            f"{_cell(first_paragraph(getattr(getattr(module, public, None), '__doc__', '')))}"
            for public in public_names(module)
            if inspect.isfunction(getattr(module, public, None))
            or inspect.isclass(getattr(module, public, None))
        ]
        if entries:
            details.append(f":::{{dropdown}} `{name}`\n\n" + "\n".join(entries) + "\n:::\n")
    return "\n".join([*lines, "", "## Entry points by module", "", *details])


class LibraryModules(SphinxDirective):
    """Render the module table and the entry points of `scaling_core`."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        chapter_docs = sorted(name for name in self.env.found_docs if name.startswith("chapters/"))
        for name in chapter_docs:
            self.env.note_dependency(str(Path(self.env.srcdir) / f"{name}.md"))
        text = library_markdown(Path(self.env.srcdir), chapter_docs)
        container = nodes.container(classes=["library-modules"])
        self.state.nested_parse(
            StringList(text.splitlines(), source="library"), self.content_offset, container
        )
        return [container]


def _always_outdated(
    app: Sphinx, env: object, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    marker = "{" + DIRECTIVE + "}"
    return [
        name
        for name in sorted(app.env.found_docs)
        if Path(app.env.doc2path(name)).suffix == ".md"
        and marker in Path(app.env.doc2path(name)).read_text(encoding="utf-8")
    ]


def setup(app: Sphinx) -> dict[str, object]:
    app.add_directive(DIRECTIVE, LibraryModules)
    app.connect("env-get-outdated", _always_outdated)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
