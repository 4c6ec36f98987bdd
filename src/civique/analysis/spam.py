"""Spam: links (shorteners score higher; links to the administration's own domains do not
count), advertising vocabulary (promotions, crypto, easy money, dating), and flooding (a
character or a word repeated over and over)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from civique.analysis.base import Finding, Span
from civique.analysis.lexicon import skeleton_regex
from civique.analysis.normalise import Skeleton

NAME = "spam-rules"

URL = re.compile(
    r"(?i)\b(?:https?://[^\s<>\"']+|www\.[^\s<>\"']+|"
    r"(?<![@\w.-])[a-z0-9-]{2,63}\.(?:com|fr|net|org|io|ly|gl|co|me|info|biz|xyz|top|site|"
    r"online|shop|club|link|click|gd|at|cc|tk|ru|cn|app|live|store)(?:/[^\s<>\"']*)?)"
)
SHORTENERS = {
    "bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "cutt.ly", "shorturl.at",
    "rebrand.ly", "tiny.cc", "buff.ly", "rb.gy", "t.ly", "s.id", "lnkd.in", "urlz.fr",
    "bitly.com", "v.gd", "shorte.st", "adf.ly", "linktr.ee",
}  # fmt: skip
ADVERTISING = skeleton_regex(
    r"\b(?:promo|promos|promotion|promotions|code promo|soldes|reduction|remise|rabais|bonus|"
    r"gratuit|gratuite|gratuitement|offert|offerte|cadeau|gagnez|gagner de l argent|"
    r"gagne|argent facile|revenu passif|revenus passifs|revenus complementaires|travail a domicile|"
    r"cliquez|clique ici|cliquez ici|lien en bio|lien dans ma bio|inscrivez vous|inscris toi|"
    r"dm moi|mp moi|ecris moi en prive|contactez moi sur|whatsapp|telegram|crypto|cryptos|"
    r"cryptomonnaie|bitcoin|bitcoins|btc|eth|ethereum|forex|trading|trader|investis|investissez|"
    r"investissement|rendement|profits?|casino|paris sportifs|pronostics|rencontres? coquines?|"
    r"celibataires|followers|abones gratuits|likes gratuits|livraison gratuite|achetez|"
    r"commandez|boutique en ligne|vente flash|offre limitee|ofre limitee|seulement \d+|prix|"
    r"pas cher|meilleur prix|mlm|parrainage|code parrain|airdrop|nft|maigrir|minceur|viagra)\b"
)
# A character ten times in a row (punctuation twenty: angry people write "!!!!!!!!!!").
DISCOUNT = re.compile(r"-\s?\d{1,2}\s?%")
REPEATED_CHAR = re.compile(r"([^\s!?.])\1{9,}|([!?.])\2{19,}")
WORDS = re.compile(r"\w+")


def _host(url: str) -> str:
    host = re.sub(r"(?i)^(?:https?://)?", "", url).split("/", 1)[0].split("?", 1)[0].lower()
    return host.removeprefix("www.").rstrip(".,;:!?)")


def analyse_spam(skel: Skeleton, *, own_domains: Iterable[str] = ()) -> list[Finding]:
    text = skel.original
    findings: list[Finding] = []
    own = {d.lower() for d in own_domains}
    links, shortened = [], False
    for match in URL.finditer(text):
        host = _host(match.group())
        if any(host == d or host.endswith("." + d) for d in own):
            continue
        end = match.end()
        while end > match.start() and text[end - 1] in ".,;:!?)":
            end -= 1
        links.append(Span(match.start(), end, text[match.start() : end]))
        shortened = shortened or host in SHORTENERS
    if links:
        findings.append(Finding("spam.link", 0.85 if shortened else 0.6, NAME, tuple(links)))
    ads = list(ADVERTISING.finditer(skel.text))
    discounts = list(DISCOUNT.finditer(text))
    if ads or discounts:
        distinct = len({m.group() for m in ads}) + min(len(discounts), 1)
        score = min(1.0, 0.3 * distinct + (0.25 if links else 0.0))
        spans = [Span(m.start(), m.end(), m.group()) for m in discounts]
        for m in ads:
            start, end = skel.span(m.start(), m.end())
            spans.append(Span(start, end, text[start:end]))
        spans.sort(key=lambda s: (s.start, s.end))
        findings.append(Finding("spam.advertising", round(score, 3), NAME, tuple(spans)))
    flood = _flood(text)
    if flood is not None:
        findings.append(flood)
    return findings


def _flood(text: str) -> Finding | None:
    spans = [Span(m.start(), m.end(), m.group()) for m in REPEATED_CHAR.finditer(text)]
    score = 0.7 if spans else 0.0
    words = [(m.group().lower(), m) for m in WORDS.finditer(text)]
    if len(words) >= 6:
        counts = Counter(word for word, _m in words)
        word, count = counts.most_common(1)[0]
        if count >= 5 and count / len(words) >= 0.4:
            score = max(score, min(1.0, 0.5 + 0.05 * count))
            spans += [Span(m.start(), m.end(), m.group()) for w, m in words if w == word]
    if not spans:
        return None
    if len(text) > 2000 and score < 0.6:
        return None
    ordered = tuple(sorted(set(spans), key=lambda s: (s.start, s.end)))
    return Finding("spam.flood", round(score, 3), NAME, ordered)
