"""The built site, read in a real browser: headless Chromium driven by Playwright.

For every page of the table of contents: it loads without console errors, every image has loaded,
internal links point at pages that exist; every chapter shows its scorecard table and has an
exercise whose solution opens on click. A screenshot of each chapter's first screen (and of an
opened solution) goes to `_build/screenshots/`.

Run after the book is built (README command 1). Without a built site or a browser the test is
skipped on a developer's machine; under CI (CI=true) both are required and their absence fails the
test.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlparse

import jupytext
import matplotlib
import numpy as np
import pytest
from book_pages import toc_pages
from matplotlib.font_manager import FontProperties
from playwright import sync_api as playwright_api

from scaling_core.allocate import compute_optimal_for_loss, inference_optimal, total_flops
from scaling_core.laws import LAWS
from scaling_core.papers import besiroglu2024
from scaling_core.planner import QUANTITIES, budget_table, hoffmann_rules
from scaling_core.plots import use_house_style

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    if not condition:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # no line per request in the test output
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    require(
        (SITE / "index.html").is_file(),
        f"no built site in {SITE}: build the book first (README command 1)",
    )
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = (
        chromium_path()
    )  # Debian's Chromium; else the browser `playwright install` fetched, if any
    flags = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with playwright_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(
                executable_path=executable, headless=True, args=flags
            )
        except playwright_api.Error as error:
            found = f"Chromium at {executable} did not start" if executable else "no Chromium found"
            reason = error.message.splitlines()[0] if error.message else type(error).__name__
            require(
                False,
                f"{found} ({reason}); install it: `apt-get install chromium` on Debian or Ubuntu, "
                "`python -m playwright install chromium` elsewhere",
            )
        yield browser
        browser.close()


def open_page(browser, url: str, width: int = 1280, height: int = 900, color_scheme: str = "light"):
    """A fresh page at `url` (a `width` × `height` viewport, the system theme `color_scheme`),
    recording console errors, page errors and failed requests of this site.

    Resources of other hosts (MathJax from its CDN) are not the site's own: where there is no
    network they fail to load, and those failures are not counted."""
    site = url.split("/", 3)[:3]
    own = lambda address: address.split("/", 3)[:3] == site  # noqa: E731
    page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=color_scheme)
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type == "error" and own(message.location.get("url") or url):
            problems.append(f"console error: {message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "requestfailed",
        lambda request: (
            problems.append(f"request failed: {request.url}") if own(request.url) else None
        ),
    )
    page.goto(url, wait_until="load")
    return page, problems


@pytest.mark.parametrize("docname", toc_pages())
def test_page_reads_cleanly(browser, site_url: str, docname: str) -> None:
    url = urljoin(site_url, f"{docname}.html")
    page, problems = open_page(browser, url)
    try:
        assert page.title(), f"{docname}: the page has no title"
        broken_images = page.eval_on_selector_all(
            "article img",
            "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)",
        )
        assert not broken_images, f"{docname}: images that did not load: {broken_images}"
        links = page.eval_on_selector_all("article a[href]", "links => links.map(a => a.href)")
        missing = sorted(
            {
                link
                for link in links
                if link.startswith(site_url)
                and not link.endswith(".pdf")  # test_pdf.py's
                and not (SITE / urlparse(link).path.lstrip("/")).is_file()
            }
        )
        assert not missing, f"{docname}: internal links to pages that do not exist: {missing}"
        if page.locator("article .math").count():
            page.wait_for_selector(
                "article mjx-container", timeout=15000
            )  # MathJax, served with the site, typeset
        check_layout(page, docname)
        if docname.startswith("chapters/"):
            check_chapter(page, docname)
        assert not problems, f"{docname}: " + "; ".join(problems)
    finally:
        page.close()


@pytest.mark.parametrize("docname", toc_pages())
def test_page_fits_a_phone(browser, site_url: str, docname: str) -> None:
    page, problems = open_page(
        browser, urljoin(site_url, f"{docname}.html"), width=PHONE_WIDTH, height=812
    )
    try:
        check_layout(page, docname)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"phone-{docname.replace('/', '-')}.png"))
        assert not problems, f"{docname} at {PHONE_WIDTH} px: " + "; ".join(problems)
    finally:
        page.close()


PHONE_WIDTH = 375
# Tables whose right edge lies beyond the text column and that no box inside the article scrolls.
CUT_OFF_TABLES = """() => {
  const article = document.querySelector('article.bd-article');
  const right = article.getBoundingClientRect().right + 1;
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  return [...article.querySelectorAll('table')].filter(table => {
    for (let e = table; e && e !== article; e = e.parentElement)
      if (scrolls(e)) return e.getBoundingClientRect().right > right;
    return table.getBoundingClientRect().right > right;
  }).map(t => (t.innerText || '').slice(0, 60));
}"""
# Search boxes and buttons a reader can see: the sidebar's box, or on a phone the header's button.
VISIBLE_SEARCH = """() => [...document.querySelectorAll('button.search-button__button')]
  .filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(e).visibility !== 'hidden';
  })
  .length"""


def check_layout(page, docname: str) -> None:
    """At the page's width: no top band, one search box, no table cut off, nothing wider than the
    screen."""
    width = page.viewport_size["width"]
    where = f"{docname} at {width} px"
    assert not page.locator("header.bd-header").is_visible(), (
        f"{where}: the theme's top band is shown"
    )
    assert page.evaluate(VISIBLE_SEARCH) == 1, f"{where}: not exactly one search box"
    cut = page.evaluate(CUT_OFF_TABLES)
    assert not cut, f"{where}: tables cut off at the right: {cut}"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{where}: the page is {overflow} px wider than the screen"


def check_chapter(page, docname: str) -> None:
    """The scorecard table is there, and an exercise's solution opens on click."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    stem = Path(docname).name
    page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"))
    assert page.locator("table.scorecard").count() >= 1, f"{docname}: no scorecard table"
    assert page.locator("div.exercise").count() >= 1, f"{docname}: no exercise"
    solution = page.locator("div.solution.dropdown").first
    assert solution.count() == 1, f"{docname}: no hidden solution"
    content = solution.locator("section").first
    assert not content.is_visible(), f"{docname}: the first solution is not hidden"
    solution.locator(
        ":scope > .admonition-title"
    ).click()  # its own title, not one of an admonition inside
    content.wait_for(state="visible", timeout=5000)
    solution.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{stem}-solution.png"))


def text_px(size: str | float) -> float:
    """A font size (points, or a name such as "small") in pixels of an image saved in the house
    style."""
    with matplotlib.rc_context():
        use_house_style()
        points = FontProperties(size=size).get_size_in_points()
        return points * matplotlib.rcParams["savefig.dpi"] / 72


def smallest_figure_text_px() -> float:
    """The smallest axis text of the house style (ticks, labels, legend), in pixels of the saved
    image."""
    with matplotlib.rc_context():
        use_house_style()
        keys = ("axes.labelsize", "xtick.labelsize", "ytick.labelsize", "legend.fontsize")
        return min(text_px(matplotlib.rcParams[key]) for key in keys)


@pytest.mark.parametrize("docname", [n for n in toc_pages() if n.startswith("chapters/")])
def test_figure_text_is_at_least_body_size(browser, site_url: str, docname: str) -> None:
    """Axis labels, ticks and legends of every figure are at least the body text's size as
    displayed."""
    page, _ = open_page(browser, urljoin(site_url, f"{docname}.html"))
    try:
        body = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)"
        )
        scales = page.eval_on_selector_all(
            "article .cell_output img",
            "imgs => imgs.map(i => i.getBoundingClientRect().width / i.naturalWidth)",
        )
    finally:
        page.close()
    smallest = smallest_figure_text_px()
    small = [round(smallest * scale, 1) for scale in scales if smallest * scale < body - 0.05]
    assert not small, (
        f"{docname}: figure text of {small} px at the displayed width, under the body's {body} px"
    )


EXPLICIT_FONT_SIZE = re.compile(
    r"\b(?:fontsize|labelsize|title_fontsize)\s*=\s*([\"'][\w-]+[\"']|[\d.]+)"
)


@pytest.mark.parametrize("docname", [name for name in toc_pages() if name.startswith("chapters/")])
def test_no_figure_text_is_set_below_the_house_size(docname: str) -> None:
    """A font size written into a chapter's plotting code (a legend at "small", a label at 8)
    cannot be seen in the image's scale, so the browser test above would pass it: read them from
    the code cells instead."""
    cells = jupytext.read(ROOT / f"{docname}.md").cells
    code = "\n".join(cell.source for cell in cells if cell.cell_type == "code")
    smallest = smallest_figure_text_px()
    sizes = [size.strip("\"'") for size in EXPLICIT_FONT_SIZE.findall(code)]
    small = [size for size in sizes if text_px(size) < smallest - 0.05]
    assert not small, (
        f"{docname}: font sizes {small} set below the house style's smallest figure text"
    )


def test_book_scorecard_lists_every_chapter(browser, site_url: str) -> None:
    chapters = [name for name in toc_pages() if name.startswith("chapters/")]
    page, problems = open_page(browser, urljoin(site_url, "book/scorecard.html"))
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "scorecard.png"), full_page=True)
        summary = page.locator("div.book-scorecard table").first
        assert summary.locator("tbody tr").count() == len(chapters), (
            "book scorecard: one row per chapter expected"
        )
        assert not problems, "book/scorecard: " + "; ".join(problems)
    finally:
        page.close()


# ---- the training-run planner (book/planner.md)
# ------------------------------------------------------

PLANNER = "book/planner.html"
PLANNER_RTOL = 1e-6
INTERVAL_LAW = "besiroglu2024"  # the law whose bootstrap draws the page carries
BUDGETS = np.logspace(19, 27, 20)
INFERENCE = list(
    zip(np.logspace(20, 26, 20), np.logspace(14, 9, 20))
)  # (budget, lifetime inference tokens)


def planner_rows(page) -> dict[str, dict[str, float | None]]:
    """{law name: {data-field: plain number}} of the result tables; a field without a number maps
    to None."""
    rows = page.eval_on_selector_all(
        "#planner-results tr[data-law]",
        """rows => rows.map(r => [r.dataset.law, Object.fromEntries(
              [...r.querySelectorAll('[data-field]')].map(
                c => [c.dataset.field,
                      c.hasAttribute('data-value') ? c.dataset.value : null]))])""",
    )
    merged: dict[str, dict[str, float | None]] = {}
    for law, fields in rows:
        merged.setdefault(law, {}).update(
            {k: None if v is None else float(v) for k, v in fields.items()}
        )
    return merged


def set_planner(page, flops: str = "", loss: str = "", inference: str = "0") -> None:
    page.fill("#planner-flops", flops)
    page.fill("#planner-loss", loss)
    page.fill("#planner-inference-tokens", inference)


def assert_close(where: str, shown: dict, expected: dict[str, float]) -> None:
    for field, value in expected.items():
        assert shown.get(field) is not None, f"{where}: no number in field {field}"
        assert shown[field] == pytest.approx(value, rel=PLANNER_RTOL), f"{where}: {field}"


@pytest.fixture(scope="module")
def planner(browser, site_url: str):
    page, problems = open_page(browser, urljoin(site_url, PLANNER))
    page.wait_for_selector("#planner-results tr[data-law]")
    yield page
    assert not problems, "planner: " + "; ".join(problems)
    page.close()


def test_planner_shows_every_law_and_rule(planner) -> None:
    assert set(planner_rows(planner)) == set(LAWS) | set(hoffmann_rules())
    options = planner.eval_on_selector_all("#planner-law option", "os => os.map(o => o.value)")
    assert options == list(LAWS)


def test_planner_budgets_match_the_library(planner) -> None:
    rules = hoffmann_rules()
    epoch = budget_table(
        LAWS[INTERVAL_LAW], BUDGETS, theta=besiroglu2024.bootstrap().theta, level=0.8
    )
    for i, flops in enumerate(BUDGETS):
        set_planner(planner, flops=repr(float(flops)))
        rows = planner_rows(planner)
        for name, law in LAWS.items():
            N, D = law.compute_optimal(flops)
            assert_close(
                f"{name} at {flops:.3g} FLOP",
                rows[name],
                {"params": N, "tokens": D, "tokens_per_param": D / N, "loss": law.loss(N, D)},
            )
        for name, rule in rules.items():
            N, D = rule.compute_optimal(flops)
            assert_close(
                f"{name} at {flops:.3g} FLOP",
                rows[name],
                {"params": N, "tokens": D, "tokens_per_param": D / N},
            )
        bounds = {
            f"{q}_{side}": epoch[f"{q}_{side}"][i] for q in QUANTITIES for side in ("low", "high")
        }
        assert_close(f"{INTERVAL_LAW} interval at {flops:.3g} FLOP", rows[INTERVAL_LAW], bounds)


def test_planner_target_losses_match_the_library(planner) -> None:
    lowest = min(LAWS, key=lambda name: LAWS[name].E)
    planner.select_option("#planner-law", lowest)
    highest_e = max(law.E for law in LAWS.values())
    for loss in np.linspace(highest_e + 0.02, highest_e + 1.5, 20):
        set_planner(planner, flops="1e24", loss=repr(float(loss)))
        rows = planner_rows(planner)
        for name, law in LAWS.items():
            N, D = compute_optimal_for_loss(law, loss)
            assert_close(
                f"{name} at loss {loss:.4g}",
                rows[name],
                {
                    "params": N,
                    "tokens": D,
                    "tokens_per_param": D / N,
                    "loss": loss,
                    "flops": 6 * N * D,
                },
            )
        for name in hoffmann_rules():
            assert set(rows[name]) == {"note"}, f"{name}: a rule of thumb cannot start from a loss"


def test_planner_inference_optimum_matches_the_library(planner) -> None:
    for flops, tokens in INFERENCE:
        set_planner(planner, flops=repr(float(flops)), inference=repr(float(tokens)))
        rows = planner_rows(planner)
        for name, law in LAWS.items():
            N, D = inference_optimal(law, law.optimal_loss(flops), tokens)
            assert_close(
                f"{name} at {flops:.3g} FLOP, {tokens:.3g} inference tokens",
                rows[name],
                {
                    "inference_params": N,
                    "inference_train_tokens": D,
                    "inference_tokens_per_param": D / N,
                    "total_flops": total_flops(N, D, tokens),
                },
            )


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("planner-flops", "-1e24", "greater than zero"),
        ("planner-flops", "0", "greater than zero"),
        ("planner-flops", "lots", "not a number"),
        ("planner-flops", "", "required"),
        ("planner-inference-tokens", "-5", "zero or more"),
        ("planner-inference-tokens", "1e12 tokens", "not a number"),
        ("planner-loss", "0", "greater than zero"),
        ("planner-loss", "abc", "not a number"),
        ("planner-loss", "1.0", "irreducible loss"),
    ],
)
def test_planner_refuses_bad_input_next_to_the_field(
    planner, field: str, text: str, message: str
) -> None:
    set_planner(planner, flops="1e24")
    planner.fill(f"#{field}", text)
    note = planner.locator(f"#{field}-error")
    assert message in note.inner_text(), f"{field} = {text!r}: message {note.inner_text()!r}"
    assert note.is_visible()
    box, input_box = note.bounding_box(), planner.locator(f"#{field}").bounding_box()
    assert abs(box["x"] - input_box["x"]) < 5 and 0 <= box["y"] - input_box["y"] < 80, (
        "message not next to its field"
    )
    assert planner.locator("#planner-results tr").count() == 0, "a plan was shown for bad input"
    assert "NaN" not in planner.locator("article").inner_text()
    set_planner(planner, flops="1e24")
    assert note.inner_text() == "" and planner.locator("#planner-results tr[data-law]").count() > 0


@pytest.mark.parametrize(
    ("name", "width", "scheme"),
    [("light", 1280, "light"), ("dark", 1280, "dark"), ("phone", 375, "light")],
)
def test_planner_reads_in_both_themes_and_on_a_phone(
    browser, site_url: str, name: str, width: int, scheme: str
) -> None:
    page, problems = open_page(
        browser, urljoin(site_url, PLANNER), width=width, height=812, color_scheme=scheme
    )
    try:
        set_planner(page, flops="1e24", inference="1e13")
        page.wait_for_selector("#planner-results tr[data-law]")
        assert page.get_attribute("html", "data-theme") == scheme
        text, background = page.eval_on_selector(
            "#planner-results td[data-field=params]",
            "c => [getComputedStyle(c).color, getComputedStyle(document.body).backgroundColor]",
        )
        assert abs(luminance(text) - luminance(background)) > 0.5, (
            f"{name}: text {text} on {background}"
        )
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 1, f"{name}: the page is {overflow} px wider than the screen"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"planner-{name}.png"), full_page=True)
        assert not problems, f"planner ({name}): " + "; ".join(problems)
    finally:
        page.close()


def luminance(css_color: str) -> float:
    """Relative brightness 0…1 of an `rgb(…)`/`rgba(…)` colour."""
    red, green, blue = (float(x) for x in css_color[css_color.index("(") + 1 : -1].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


# ---- one number style in tables
# -----------------------------------------------------------------------

# A cell (or header) that is `4.1297e+10`, perhaps with a unit: `1.5e-07 %`.
RAW_NUMBER = re.compile(
    r"<t[dh][^>]*>\s*[-+−]?\d+(?:\.\d+)?e[-+−]?\d+(?:\s*[^\s<]{1,8})?\s*</t[dh]>"
)


@pytest.mark.parametrize("docname", toc_pages())
def test_tables_print_numbers_in_the_book_style(docname: str) -> None:
    page = SITE / f"{docname}.html"
    require(page.is_file(), f"no built page {page}: build the book first (README command 1)")
    raw = RAW_NUMBER.findall(page.read_text(encoding="utf-8"))
    assert not raw, f"{docname}: {len(raw)} table cells print raw numbers, e.g. {raw[:3]}"
