"""Abuse: insults, hate, threats, harassment, obscenity — and angry but legitimate complaints.

Everything runs on the skeleton of the text (``normalise``), so disguised spellings meet the
lexicon, and every finding's spans are exact offsets in the original text.

- Insults come from the lexicon (``data/abuse_fr.tsv``); a weak insult (``incapable``,
  ``débile``) counts only when aimed at someone (``t'es``, ``vous êtes des``, ``bande de``,
  ``espèce de``, ``sale``, ``le maire est``...). An insult aimed at a protected group is hate.
- Hate: slurs, ``sale(s) <group>``, a protected group next to words that exclude or dehumanise.
- Threats: ``je vais te/vous <violent verb>``, ``on sait où tu habites``, ``tu vas le regretter``...
- Harassment: persistence and sexual harassment patterns, and insults together with someone's
  personal data (the caller adds that last one, see ``analyse``).
- Obscenity: sexual terms; swear words (``putain``, ``merde``) only as a weak hint.
- ``tone.angry``: complaint vocabulary (``inadmissible``, ``toujours pas``, ``depuis trois
  semaines``), exclamation marks, capitals. Anger is never abuse by itself.
"""

from __future__ import annotations

import re

from civique.analysis.base import Finding, Span
from civique.analysis.lexicon import Hit, abuse_lexicon, words_pattern
from civique.analysis.normalise import Skeleton

NAME = "abuse-rules"

# Words before an insult that aim it at someone (searched in the skeleton, up to WINDOW before).
TARGET_BEFORE = re.compile(
    r"(?:\b(?:t es|tu es|t etais|tu etais|es tu|vous etes|vous etiez|etes vous|vous n etes|"
    r"t es qu|tu n es|espece d|espece de|bande d|bande de|sale|sales|gros|grosse|pauvre|"
    r"quel|quele|quels|queles|ce|cete|cet|ces|tous des|toutes des|que des|bande|ramassis de|"
    r"le maire est|la maire est|maire|elu|elus|agent|agents|fonctionaire|fonctionaires|"
    r"mairie|directeur|directrice|infirmier|infirmiere|medecin|secretaire|acueil|toi|vous|"
    r"sont|est|c est|cest|c etait|ils sont|elle est|il est|elles sont|user|t)\s*(?:un|une|des|de|d|la|le|les|qu un|qu une)?\s*"
    r"(?:(?:gros|grosse|vrai|vraie|vrais|sale|sales|pauvre|pauvres|beau|bele|belle|espece de|bande de)\s+)?$)"
)
TARGET_WINDOW = 40
# Words after an insult that aim it (``connard va``, ``... de la mairie``): a vocative at the end.
TARGET_AFTER = re.compile(
    r"^\s*(?:toi|va|vas|de la mairie|du maire|de l hopital|que tu es|que vous etes)\b"
)

GROUPS = words_pattern([
    "arabe", "arabes", "noir", "noirs", "noire", "noires", "black", "blacks", "juif", "juifs",
    "juive", "juives", "musulman", "musulmans", "musulmane", "musulmanes", "migrant", "migrants",
    "immigré", "immigrés", "immigrée", "étranger", "étrangers", "réfugié", "réfugiés", "rom",
    "roms", "gitan", "gitans", "gitane", "homo", "homos", "homosexuel", "homosexuels",
    "homosexuelle", "gay", "gays", "lesbienne", "lesbiennes", "trans", "transgenre",
    "handicapé", "handicapés", "handicapée", "africain", "africains", "maghrébin", "maghrébins",
    "chinois", "asiatique", "asiatiques", "feuj", "feujs", "rebeu", "rebeus", "renoi", "renois",
    "mahométans", "islamistes", "bougnoules", "négros", "femmes", "gonzesses", "catho", "cathos",
    "chrétiens", "turcs", "algériens", "marocains", "tunisiens", "sénégalais", "comoriens",
    "portugais", "polonais", "bohémiens", "manouches", "voyageurs", "clandestins", "sans papiers",
])  # fmt: skip
EXCLUSION = words_pattern([
    "dehors", "chez eux", "chez vous", "rentrez", "retournez", "retourner", "rentrer", "à la mer",
    "vermine", "vermines", "cafards", "cafard", "rats", "rat", "parasites", "envahisseurs",
    "invasion", "grand remplacement", "remplacement", "racaille", "racailles", "déchets",
    "à gazer", "gazer", "au four", "fours", "exterminer", "extermination", "éradiquer",
    "dégagez", "virer", "virez", "expulser", "expulsez", "sous-hommes", "animaux", "singes",
    "bêtes", "pas des humains", "nuisibles", "pue", "puent", "tous des", "toutes des",
    "tous pareils", "interdire", "interdits",
])  # fmt: skip
HATE_SALE = re.compile(r"\bsales?\s+" + GROUPS + r"\b")
HATE_GROUP = re.compile(r"\b(?:les\s+|des\s+|ces\s+)?" + GROUPS + r"\b")
HATE_EXCLUSION = re.compile(EXCLUSION)

VIOLENT = words_pattern([
    "tuer", "buter", "fumer", "défoncer", "crever", "égorger", "planter", "saigner",
    "massacrer", "retrouver", "choper", "attraper", "brûler", "cramer", "pendre", "détruire",
    "exploser", "éclater", "démolir", "casser la gueule", "casser les dents", "casser la tête",
    "faire la peau", "fracasser", "faire payer", "faire regretter", "étrangler", "frapper",
    "cogner", "tabasser", "allumer", "flinguer", "descendre", "abattre", "arracher la tête",
    "niquer", "violer", "faire du mal", "faire sauter", "trouver", "attendre à la sortie",
    "régler son compte", "régler ton compte", "régler votre compte", "buter", "trancher",
    "décapiter", "lyncher", "poignarder", "mettre une balle", "exploser la tête", "marraver",
    "crever les pneus", "crever tes pneus", "rayer ta voiture", "pourrir",
])  # fmt: skip
THREATS = [
    (
        re.compile(
            r"\b(?:je|j|jvais|jv|moi je|on|nous|nous alons|ils|mes potes|mes gars)\s*"
            r"(?:vais|vai|v|vas|va|alons|vont|viendrai|viendra|m en vais|peux|pourais|devrais)?\s*"
            r"(?:venir\s+)?(?:te|vous|t|les|le|la|lui|leur|l)\s+" + VIOLENT
        ),
        0.9,
    ),
    (
        re.compile(
            r"\b(?:je|on|nous)\s+(?:sait|sais|savons|saura|connait|conais)\s+(?:ou|a quele adrese)\s+(?:tu|t|vous|il|ele|ils|eles)\s*(?:habite|habites|habitez|vis|vit|vivez|dors|bosse|bosses|travaile|travailes|travailez|gare)\w*"
        ),
        0.9,
    ),
    (
        re.compile(
            r"\b(?:tu|vous|il|ele|ils)\s+(?:vas|va|alez|vont)\s+(?:le\s+|la\s+|me\s+le\s+)?(?:regreter|payer|crever|mourir|prendre cher|savoir qui je suis|voir ce que)"
        ),
        0.85,
    ),
    (
        re.compile(
            r"\b(?:t es|tu es|vous etes|il est|ele est|c est un homme)\s+(?:mort|morts|un homme mort|une femme morte)\b"
        ),
        0.85,
    ),
    (
        re.compile(
            r"\b(?:gare a (?:toi|vous|tes fesses)|fais gafe a toi|faites gafe a vous|fais gafe a ta|tu perds rien pour atendre|vous perdez rien pour atendre|je t atends|on vous atend|surveile tes arieres|a bon entendeur)"
        ),
        0.75,
    ),
    (
        re.compile(
            r"\b(?:merite|meritent|meriterait|meriteraient|faudrait|faut|il faudrait|il faut)\s+(?:les|le|la|lui|leur)?\s*(?:une bale|la mort|d etre pendu|de crever|tuer|pendre|fusiler|bruler|buter|gazer|abatre|guilotiner|crever)"
        ),
        0.8,
    ),
    (
        re.compile(
            r"\b(?:a mort (?:le|la|les)|une bale dans (?:la|ta|sa|votre) tete|je vais (?:tout )?(?:bruler|cramer|faire sauter|foutre le feu)|mettre le feu a la mairie|foutre le feu a la mairie|on va tout bruler|on va tout casser)"
        ),
        0.85,
    ),
    (
        re.compile(
            r"\b(?:je vais venir|je vais passer|on va venir|on va debarquer|je vais debarquer)\s+(?:avec|arme|armes)\s*(?:mon|ma|un|une|des|mes)?\s*(?:fusil|flingue|couteau|batte|kalach|kalash|potes|gars|famile|armes)"
        ),
        0.85,
    ),
]
HARASSMENT = [
    re.compile(
        r"\b(?:je|on)\s+(?:vais|va|vas|continuerai|continuerais|vais continuer a)\s*(?:te|vous)\s+(?:harceler|pourir la vie|pourir|lacher|suivre|afficher|ruiner|faire vire|faire virer)"
    ),
    re.compile(
        r"\b(?:je|on)\s+(?:ne\s+)?(?:te|vous)\s+(?:lacherai|lachera|lache|lacherons)\s+(?:pas|jamais)"
    ),
    re.compile(
        r"\b(?:je|on)\s+(?:vais|va)\s+(?:publier|balancer|afficher|diffuser|poster)\s+(?:ton|ta|tes|son|sa|ses|votre|vos)\s+(?:adrese|numero|photo|photos|nom|tel|adreses|coordonees)"
    ),
    re.compile(
        r"\b(?:envoie|envoi|envoies|montre)\s+(?:moi\s+)?(?:des\s+|tes\s+|une\s+)?(?:photos?|nudes?|seins|fesses)"
    ),
    re.compile(
        r"\b(?:t es|tu es|ele est|vous etes)\s+(?:trop\s+|bien\s+|grave\s+)?(?:bone|chaude|bandante|baisable)\b"
    ),
    re.compile(
        r"\b(?:je reviendrai|je reviendrais|je vais revenir|je posterai|je posterais)\s+(?:tous les jours|chaque jour|sans arret|tant qu il faudra|jusqu a ce que)"
    ),
    re.compile(
        r"\b(?:tout le monde|toute la vile)\s+(?:va savoir|saura|doit savoir)\s+(?:que|qui)"
    ),
]
WEAPONS = re.compile(r"\b(?:kalach|kalash|kalachnikov|flingue|bombe|atentat|explosif|grenade)s?\b")

ANGRY = re.compile(
    r"\b(?:inadmisible|inacceptable|scandale|scandaleux|scandaleuse|honte|honteux|honteuse|"
    r"lamentable|deplorable|intolerable|insuportable|inadmisibles|ras le bol|marre|ca sufit|"
    r"n importe quoi|foutage de gueule|se fout de nous|se foutent de nous|vous foutez de nous|"
    r"toujours pas|toujours rien|jamais de reponse|personne ne repond|personne repond|"
    r"aucune reponse|pas de reponse|sans reponse|encore une fois|a quoi servent|a quoi sert|"
    r"nos impots|mes impots|on paie des impots|on paye des impots|honte a vous|reveilez vous|"
    r"exaspere|exasperee|excede|excedee|furieux|furieuse|en colere|ecoeure|ecoeuree|degoute|"
    r"degoutee|revolte|revoltee|indigne|indignee|ridicule|pathetique|aberant|absurde|"
    r"inhumain|irespectueux|c est abuse|abuse|abusé|on se moque de|se moquer du monde|"
    r"se moque du monde|se moquent du monde|incompetence|laisez aler|on est oublie|on est oublies|"
    r"abandones|abandonee|abandone|delaise|delaises|c est la (?:\d+|deuxieme|troisieme|quatrieme|"
    r"cinquieme)\s*(?:e|eme)?\s*fois|pour la (?:\d+|enieme|nieme)\s*(?:e|eme)?\s*fois|"
    r"(?:depuis|ca fait|cela fait|voila|il y a)\s+(?:plus de\s+)?(?:\d+|deux|trois|quatre|cinq|six|"
    r"huit|dix|quinze|plusieurs|des)\s+(?:jours|semaines|mois|ans|heures|h)|"
    r"(?:\d+|deux|trois|quatre|cinq|six|huit|dix|quinze|plusieurs)\s+(?:jours|semaines|mois|ans)\s+"
    r"(?:que|qu)|des mois que|"
    r"des semaines que|des anees que|toujours le meme|une fois de plus|qu atendez vous|"
    r"vous atendez quoi|il faut qu il y ait un mort|faudra un mort|combien de temps encore)\b"
)
EXCLAMATIONS = re.compile(r"[!?]{2,}|!")
CAPS_WORD = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{3,}\b")
WORD = re.compile(r"\b\w{3,}\b")


def _spans(skel: Skeleton, ranges: list[tuple[int, int]]) -> tuple[Span, ...]:
    spans = []
    for a, b in ranges:
        start, end = skel.span(a, b)
        spans.append(Span(start, end, skel.original[start:end]))
    return tuple(sorted(set(spans), key=lambda s: (s.start, s.end)))


def _aimed(skel: Skeleton, hit: Hit) -> bool:
    before = skel.text[max(0, hit.start - TARGET_WINDOW) : hit.start]
    after = skel.text[hit.end : hit.end + 30]
    return bool(TARGET_BEFORE.search(before) or TARGET_AFTER.search(after))


def _near_group(skel: Skeleton, hit: Hit) -> bool:
    window = skel.text[max(0, hit.start - 50) : hit.end + 50]
    return bool(HATE_GROUP.search(window))


def analyse_abuse(skel: Skeleton) -> list[Finding]:
    """Findings about abuse and anger in the skeleton of one text."""
    text = skel.text
    found: dict[str, tuple[float, list[tuple[int, int]]]] = {}

    def add(label: str, score: float, a: int, b: int) -> None:
        best, ranges = found.get(label, (0.0, []))
        ranges.append((a, b))
        found[label] = (max(best, min(score, 1.0)), ranges)

    for hit in abuse_lexicon().hits(skel):
        category, weight = hit.entry.category, hit.entry.weight
        if category == "insult":
            aimed = _aimed(skel, hit)
            # A strong insult counts alone; a weak one only when aimed at someone.
            score = weight + 0.15 if aimed else (weight - 0.15 if weight >= 0.7 else weight * 0.6)
            add("abuse.insult", score, hit.start, hit.end)
            if aimed and _near_group(skel, hit) and weight >= 0.45:
                add("abuse.hate", 0.75, hit.start, hit.end)
        elif category == "slur":
            add("abuse.hate", weight, hit.start, hit.end)
            add("abuse.insult", weight - 0.1, hit.start, hit.end)
        elif category == "obscene" or category == "vulgar":
            add("abuse.obscene", weight, hit.start, hit.end)
    for match in HATE_SALE.finditer(text):
        add("abuse.hate", 0.9, match.start(), match.end())
    for match in HATE_GROUP.finditer(text):
        window_start = max(0, match.start() - 60)
        exclusion = HATE_EXCLUSION.search(text, window_start, match.end() + 60)
        if exclusion and re.match(r"\b", text[exclusion.start() :]):
            add("abuse.hate", 0.75, match.start(), match.end())
            add("abuse.hate", 0.75, exclusion.start(), exclusion.end())
    for pattern, score in THREATS:
        for match in pattern.finditer(text):
            add("abuse.threat", score, match.start(), match.end())
    for match in WEAPONS.finditer(text):
        add("abuse.threat", 0.45, match.start(), match.end())
    for pattern in HARASSMENT:
        for match in pattern.finditer(text):
            add("abuse.harassment", 0.8, match.start(), match.end())
    findings = [
        Finding(label, round(score, 3), NAME, _spans(skel, ranges))
        for label, (score, ranges) in found.items()
    ]
    angry = _anger(skel)
    if angry is not None:
        findings.append(angry)
    return findings


def _anger(skel: Skeleton) -> Finding | None:
    original = skel.original
    cues = list(ANGRY.finditer(skel.text))
    marks = list(EXCLAMATIONS.finditer(original))
    words = WORD.findall(original)
    caps = list(CAPS_WORD.finditer(original))
    caps_ratio = len(caps) / len(words) if words else 0.0
    score = 0.3 * min(len(cues), 3)
    score += 0.1 * min(sum(len(m.group()) for m in marks), 3)
    if len(caps) >= 2 and caps_ratio >= 0.3:
        score += 0.2
    if not cues and score < 0.4:
        return None
    score = min(score, 1.0)
    if score < 0.25:
        return None
    ranges = [(m.start(), m.end()) for m in cues]
    spans = list(_spans(skel, ranges))
    spans += [Span(m.start(), m.end(), m.group()) for m in marks if len(m.group()) > 1]
    spans.sort(key=lambda s: (s.start, s.end))
    return Finding("tone.angry", round(score, 3), "tone-rules", tuple(spans))
