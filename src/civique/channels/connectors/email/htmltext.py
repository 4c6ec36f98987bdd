"""Plain text from HTML mail, with the standard library only.

Good enough to read an HTML-only mail in the inbox and to search it: block elements become line
breaks, list items get a dash, links keep their address when it differs from their text, and
scripts, styles and the head are dropped. The raw HTML is kept beside it (sanitised by the
pipeline), so nothing is lost.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {
    "address", "article", "aside", "blockquote", "body", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "html", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot",
    "th", "thead", "tr", "ul",
}  # fmt: skip
# Blocks that read as paragraphs get a blank line around them; the others a line break.
_PARAGRAPHS = {"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "ol", "p", "pre", "table", "ul"}
_SKIPPED = {"head", "script", "style", "title", "template", "noscript"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip_depth = 0
        self.pre_depth = 0
        self.links: list[tuple[str, int]] = []  # (href, index of the first chunk of its text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skip_depth += 1
        elif tag == "br":
            self.chunks.append("\n")
        elif tag in _BLOCKS:
            self._break(2 if tag in _PARAGRAPHS else 1)
            if tag == "li":
                self.chunks.append("- ")
            if tag == "pre":
                self.pre_depth += 1
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.chunks)))
        elif tag == "img":
            alt = (dict(attrs).get("alt") or "").strip()
            if alt:
                self.chunks.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCKS:
            self._break(2 if tag in _PARAGRAPHS else 1)
            if tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.chunks[start:]).strip()
            if href.startswith(("http:", "https:")) and href != label:
                self.chunks.append(f" ({href})")

    def _break(self, count: int) -> None:
        """End the current line so that at least ``count`` line breaks separate what follows."""
        tail = "".join(self.chunks[-4:]).rstrip(" \t")
        present = len(tail) - len(tail.rstrip("\n"))
        if tail and present < count:
            self.chunks.append("\n" * (count - present))

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.pre_depth:
            data = re.sub(r"\s+", " ", data)
        self.chunks.append(data)


# A "<" whose next angle bracket is another "<" (or that has none after it) opens no tag.
_UNCLOSED_TAG = re.compile(r"<(?=[^<>]*(?:<|\Z))")
_DATA_SECTION = re.compile(r"<!\[(?=\s*(?:cdata|temp|ignore|include|rcdata)\b)", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """Readable plain text for ``html``; never raises on malformed markup."""
    parser = _TextExtractor()
    # Python's HTMLParser rescans to the end of the input from each tag left unclosed, so
    # "<a <a <a ..." takes time quadratic in its length (70 KB took 40 s): such a "<" is text.
    html = _UNCLOSED_TAG.sub("&lt;", html)
    # Likewise from each marked section never closed: "<![if !vml]>" (Outlook) ends at "]>",
    # "<![CDATA[" and its kind at "]]>".
    closed = max(html.rfind("]>"), 0)
    html = html[:closed] + html[closed:].replace("<![", "&lt;![")
    closed = max(html.rfind("]]>"), 0)
    html = html[:closed] + _DATA_SECTION.sub("&lt;![", html[closed:])
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # noqa: BLE001 - HTMLParser is lenient; this is a last resort
        return re.sub(r"<[^>]*>", " ", html)
    lines = [line.strip(" \t\u00a0") for line in "".join(parser.chunks).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
