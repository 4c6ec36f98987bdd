"""French text as the search sees it: lower case, accents removed, phone spellings expanded,
stop words dropped, then stemmed (Snowball's French stemmer). The same function prepares what
is indexed and what is searched, so both meet on the same terms.

Pure functions: no database, no Django."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[0-9a-z]+")

# Spellings of messages typed on a phone, and everyday words for the administration's ones.
# An empty value drops the word (greetings, politeness).
PHONE_SPELLINGS: dict[str, str] = {
    "bjr": "",
    "bsr": "",
    "slt": "",
    "cc": "",
    "svp": "",
    "stp": "",
    "mrc": "",
    "merci": "",
    "bonjour": "",
    "bonsoir": "",
    "madame": "",
    "monsieur": "",
    "cordialement": "",
    "pr": "pour",
    "ds": "dans",
    "qd": "quand",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pcq": "parce que",
    "tt": "tout",
    "ts": "tous",
    "bcp": "beaucoup",
    "jsp": "",
    "rdv": "rendez vous",
    "rdz": "rendez vous",
    "cni": "carte identite",
    "apl": "aide logement",
    "rsa": "rsa revenu solidarite",
    "mdph": "handicap",
    "ehpad": "ehpad personne agee",
    "pv": "amende",
    "alloc": "allocations",
    "allocs": "allocations",
    "secu": "securite sociale",
    "papiers": "carte identite passeport",
    "poubelle": "poubelle bac",
    "poubelles": "poubelles bacs",
    "ordures": "ordures dechets",
    "lampadaire": "lampadaire eclairage",
    "trou": "trou nid poule chaussee",
    "taf": "travail emploi",
    "boulot": "travail emploi",
    "chomage": "chomage emploi",
    "impots": "impots",
    "impot": "impots",
    "gosse": "enfant",
    "gosses": "enfants",
    "gamin": "enfant",
    "gamins": "enfants",
    "cantoche": "cantine",
    "bagnole": "voiture",
    "caisse": "voiture",
    "flic": "police",
    "flics": "police",
    "keuf": "police",
    "tel": "telephone",
    "num": "numero",
    "infos": "information",
    "info": "information",
    "dispo": "disponible",
    "asap": "urgent",
}

# French stop words (unaccented), plus the words every request carries and that tell nothing.
_STOP_WORDS = """
a ai aie aient aies ait alors as au aucun aucune aupres aura aurai auraient aurais aurait
auras aurez auriez aurions aurons auront aussi autre autres aux avaient avais avait avant
avec avez aviez avions avoir avons ayant ayez ayons bien c ca ce ceci cela celle celles
celui cependant ces cet cette ceux chaque chez ci comme comment d dans de des deja depuis
donc dont du elle elles en encore est et etaient etais etait etant ete etes etiez etions
etre eu eue eues eurent eus eusse eut eux fait faire fais faut fois font furent fut ici il
ils j je jusqu l la le les leur leurs lui m ma mais me meme mes moi mon n ne ni nos notre
nous on ont ou par parce pas peu peut peux plus pour pourquoi pourrais pourrait pouvez
pouvoir puis puisque qu quand que quel quelle quelles quels qui quoi s sa sans se sera serai
seraient serais serait seras serez seriez serions serons seront ses si sien soi soient sois
soit sommes son sont sous suis sur t ta tant te tes toi ton tous tout toute toutes tres tu
un une unes uns vais veux voudrais voudrait voulais voulait vos votre vous vu y oui non ok
voila svp merci bonjour aider besoin savoir sais demande demander demandes question
questions probleme problemes comment est-ce quoi ya rien ca cest jai jaimerais aimerais
souhaite souhaiterais veut vouloir
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

_stemmer = snowballstemmer.stemmer("french")


def fold(text: str) -> str:
    """Lower case without accents or ligatures: « Œuvre à l'État » → « oeuvre a l'etat »."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[str]:
    """The folded words of ``text``, phone spellings expanded (« cni » → « carte identite »).
    Apostrophes split (« l'etat » → « l », « etat »)."""
    result = []
    for word in _WORD.findall(fold(text)):
        expanded = PHONE_SPELLINGS.get(word)
        if expanded is None:
            result.append(word)
        elif expanded:
            result.extend(expanded.split())
    return result


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return _stemmer.stemWord(word)


def content_words(text: str) -> list[str]:
    """The words that carry meaning: folded, expanded, without stop words or single letters."""
    return [w for w in words(text) if w not in STOP_WORDS and len(w) > 1]


def stems(text: str) -> list[str]:
    """What is indexed and searched: the stems of the content words, in order."""
    return [stem(word) for word in content_words(text)]


def stemmed_text(text: str) -> str:
    return " ".join(stems(text))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance (a swap of two neighbours counts one), or ``limit + 1``
    as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def typo_budget(word: str) -> int:
    """How many edits a word of this length may carry and still be recognised."""
    if len(word) < 4:
        return 0
    return 1 if len(word) < 6 else 2
