"""The built book in a real browser: headless Chromium (Debian's `chromium`), driven by
Playwright, over every page, with the network blocked.

`check_book(html_dir, shots_dir)` serves the build on 127.0.0.1, opens every page and
returns a list of problems (empty when the book is fine), after saving a screenshot of
every page to `shots_dir`. What counts as a problem, per page:

- a console error or an uncaught exception in the page's scripts;
- any request for something outside the book (the network is blocked: the book must
  read offline), and a local request that fails or answers 400 or more;
- an image that did not load;
- math left untypeset: an equation element MathJax did not turn into typeset math, or
  raw TeX delimiters (\\( \\) \\[ \\] $$, or $...$ around a TeX command) in the rendered
  text outside code;
- a link inside the book (citations and the download buttons included) to a file that
  does not exist, or to an anchor that is not on the page it names;
- the search page not listing the page for a word taken from the page's own title.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
HOST = "127.0.0.1"
# Chromium's own background connections would be refused by a closed network; these flags
# switch them off, and the resolver rule makes every name but the local server unreachable.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE {HOST}"]
SKIP_DIRS = {"_static", "_sources", "_images", "_sphinx_design_static", "_panels_static"}
STOP = {"from", "with", "into", "that", "this", "their", "there", "which", "about", "these",
        "those", "while", "where"}
RAW_TEX = re.compile(r"\\\(.{0,80}?\\\)|\\\[.{0,80}?\\\]|\\\(|\\\)|\\\[|\\\]|\$\$"
                     r"|\$[^$\n]{0,80}\\[A-Za-z]+[^$\n]{0,80}\$", re.S)


def chromium() -> str | None:
    for path in CHROMIUM_CANDIDATES:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


def pages(html: Path) -> list[Path]:
    """Every HTML page of the build (not the theme's or the sources' folders)."""
    return sorted(p for p in html.rglob("*.html")
                  if not SKIP_DIRS & set(p.relative_to(html).parts))


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass                      # a page left before a file was sent: not the book's fault


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_Quiet, directory=str(root))
    server = _Server((HOST, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://{HOST}:{server.server_address[1]}/"


@functools.cache
def _anchors(path: Path) -> frozenset[str]:
    soup = BeautifulSoup(path.read_text(), "html.parser")
    return frozenset([t["id"] for t in soup.find_all(id=True)] +
                     [t["name"] for t in soup.find_all("a", attrs={"name": True})])


def dead_links(html: Path, hrefs: list[str], base: str) -> list[str]:
    """Links (absolute, as the browser resolved them) into the book that lead nowhere."""
    dead = []
    for href in sorted(set(hrefs)):
        if not href.startswith(base):
            continue                                   # outside links are not followed
        parts = urlsplit(href)
        target = html / unquote(parts.path).lstrip("/")
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            dead.append(f"{href} (no such file)")
        elif parts.fragment and target.suffix == ".html" \
                and unquote(parts.fragment) not in _anchors(target):
            dead.append(f"{href} (no such anchor)")
    return dead


def title_word(soup: BeautifulSoup) -> str | None:
    """A word of four letters or more from the page's main heading (search indexes titles)."""
    h1 = soup.find("h1")
    words = re.findall(r"[A-Za-z]{4,}", h1.get_text(" ") if h1 else "")
    words = [w for w in words if w.lower() not in STOP]
    return words[0] if words else None


SEARCH_DONE = """() => {
  const s = document.querySelector('#search-results .search-summary');
  return s !== null && s.innerText.trim().length > 0;
}"""

MATH_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const eqs = [...document.querySelectorAll('span.math, div.math')];
  const bare = eqs.filter(e => !e.querySelector('mjx-container'))
                  .map(e => e.textContent.slice(0, 60));
  const imgs = [...document.images].filter(i => !i.complete || i.naturalWidth === 0)
                                   .map(i => i.getAttribute('src').slice(0, 80));
  const main = document.querySelector('main') || document.body;
  const clone = main.cloneNode(true);
  clone.querySelectorAll('pre, code, mjx-container, script, style, .highlight')
       .forEach(e => e.remove());
  return {eqs: eqs.length, typeset: document.querySelectorAll('mjx-container').length,
          bare, imgs, text: clone.innerText,
          hrefs: [...document.querySelectorAll('a[href]')].map(a => a.href)};
}"""


def check_book(html: Path, shots: Path, executable: str, log=print) -> tuple[list[str], dict]:
    from playwright.sync_api import sync_playwright

    shots.mkdir(parents=True, exist_ok=True)
    server, base = serve(html)
    problems: list[str] = []
    stats = {"pages": 0, "searches": 0, "equations": 0, "links": 0}
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            seen: list[str] = []

            def outside(route):
                seen.append(f"request outside the book: {route.request.url}")
                route.abort()

            page.route(re.compile(r"^(?!" + re.escape(base) + r").*"), outside)
            page.on("console", lambda m: m.type == "error" and seen.append(
                f"console error: {m.text[:200]}"))
            page.on("pageerror", lambda e: seen.append(f"script error: {str(e)[:200]}"))
            # net::ERR_ABORTED is a request cut short by leaving the page, not a failure; a
            # missing file answers 404 (caught below)
            page.on("requestfailed", lambda r: r.url.startswith(base)
                    and "ERR_ABORTED" not in (r.failure or "")
                    and seen.append(f"request failed: {r.url} ({r.failure})"))
            page.on("response", lambda r: r.status >= 400 and seen.append(
                f"HTTP {r.status}: {r.url}"))

            for path in pages(html):
                rel = path.relative_to(html).as_posix()
                seen.clear()
                soup = BeautifulSoup(path.read_text(), "html.parser")
                refresh = soup.find("meta", attrs={"http-equiv": re.compile("refresh", re.I)})
                if refresh:               # a redirect (index.html): its target must exist
                    target = refresh["content"].split("url=", 1)[-1].strip()
                    page.goto(base + rel, wait_until="load")
                    found = []
                    try:
                        here = base + rel
                        page.wait_for_url(lambda u, here=here: u != here, timeout=10000)
                        page.wait_for_load_state("load")
                    except Exception:                 # noqa: BLE001 - reported here
                        found.append(f"the redirect to {target} went nowhere ({page.url})")
                    found += seen
                    page.screenshot(path=str(shots / f"{rel.removesuffix('.html')}.png"))
                    found += [f"dead link: {d}" for d in dead_links(
                        html, [base + str(Path(rel).parent / target).lstrip("./")], base)]
                    problems += [f"{rel}: {f}" for f in found]
                    stats["pages"] += 1
                    log(f"{rel}: redirects to {target}")
                    continue
                page.goto(base + rel, wait_until="load")
                state = page.evaluate(MATH_STATE)
                name = rel.removesuffix(".html").replace("/", "__")
                page.screenshot(path=str(shots / f"{name}.png"))
                stats["pages"] += 1
                stats["equations"] += state["eqs"]
                stats["links"] += len(state["hrefs"])
                found = list(seen)
                if state["bare"]:
                    found.append(f"{len(state['bare'])} of {state['eqs']} equations not "
                                 f"typeset, the first {state['bare'][0]!r}")
                if state["eqs"] and not state["typeset"]:
                    found.append("the page has equations and no typeset math")
                found += [f"raw TeX in the text: {m.group(0)!r}"
                          for m in RAW_TEX.finditer(state["text"])][:5]
                found += [f"image did not load: {s}" for s in state["imgs"]]
                found += [f"dead link: {d}" for d in dead_links(html, state["hrefs"], base)]
                word = title_word(soup)
                if word and rel not in ("search.html", "genindex.html"):
                    seen.clear()
                    page.goto(f"{base}search.html?q={word}", wait_until="load")
                    try:                          # the summary is filled in when done
                        page.wait_for_function(SEARCH_DONE, timeout=15000)
                    except Exception:                 # noqa: BLE001 - reported below
                        found.append("the search page never finished")
                    hits = page.eval_on_selector_all(
                        "#search-results ul.search li a", "as => as.map(a => a.href)")
                    stats["searches"] += 1
                    found += [f"while searching: {s}" for s in seen]
                    if not any(urlsplit(h).path.lstrip("/") == rel for h in hits):
                        found.append(f"searching for {word!r} does not list the page "
                                     f"({len(hits)} results)")
                problems += [f"{rel}: {f}" for f in dict.fromkeys(found)]
                log(f"{rel}: {state['eqs']} equations, {len(state['hrefs'])} links, "
                    f"search {word!r}: {'ok' if not found else len(found)}")
            browser.close()
    finally:
        server.shutdown()
    stats["seconds"] = round(time.perf_counter() - start, 1)
    return problems, stats
