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
from civique.analysis.lexicon import Hit, abuse_lexicon, skeleton_regex, words_pattern
from civique.analysis.normalise import Skeleton

NAME = "abuse-rules"

# Words before an insult that aim it at someone (searched in the skeleton, up to WINDOW before).
TARGET_BEFORE = skeleton_regex(
    r"(?:\b(?:t es|tu es|t etais|tu etais|es tu|vous etes|vous etiez|etes vous|vous n etes|"
    r"t es qu|tu n es|espece d|espece de|bande d|bande de|sale|sales|gros|grosse|pauvre|"
    r"quel|quele|quels|queles|ce|cete|cet|ces|tous des|toutes des|que des|bande|ramassis de|"
    r"le maire est|la maire est|maire|elu|elus|agent|agents|fonctionaire|fonctionaires|"
    r"mairie|directeur|directrice|infirmier|infirmiere|medecin|secretaire|acueil|toi|vous|"
    r"sont|est|c est|cest|c etait|ils sont|elle est|il est|elles sont|user|t|vs etes|v etes)\s*"
    r"(?:(?:vraiment|trop|tellement|completement|franchement|juste|bien|grave|tous|toutes|que|qu|"
    r"rien que|qu une|qu un|vraiment que)\s+)*(?:un|une|des|de|d|la|le|les|qu un|qu une)?\s*"
    r"(?:(?:gros|grosse|vrai|vraie|vrais|sale|sales|pauvre|pauvres|beau|bele|belle|espece de|bande de)\s+)?$)"
)
TARGET_WINDOW = 40
# Words after an insult that aim it (``connard va``, ``... de la mairie``): a vocative at the end.
TARGET_AFTER = skeleton_regex(
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
    "tous pareils", "interdire", "interdits", "contrôlent tout", "dirigent tout",
    "n'ont rien à faire", "n'ont rien à foutre", "pas leur place", "pas les bienvenus",
    "on ne veut pas de", "on veut pas de", "on n'en veut pas", "pas de ça chez nous",
])  # fmt: skip
HATE_SALE = re.compile(r"\bsales?\s+" + GROUPS + r"\b")
HATE_GROUP = re.compile(r"\b(?:les\s+|des\s+|ces\s+)?" + GROUPS + r"\b")
HATE_EXCLUSION = re.compile(r"\b" + EXCLUSION + r"\b")

VIOLENT = words_pattern([
    "tuer", "buter", "fumer", "défoncer", "crever", "égorger", "planter", "saigner",
    "massacrer", "retrouver", "choper", "attraper", "brûler", "cramer", "pendre", "détruire",
    "exploser", "éclater", "démolir", "casser la gueule", "casser les dents", "casser la tête",
    "faire la peau", "fracasser", "faire payer", "faire regretter", "étrangler", "frapper",
    "cogner", "tabasser", "allumer", "flinguer", "descendre", "abattre", "arracher la tête",
    "niquer", "violer", "faire du mal", "faire sauter", "trouver", "attendre à la sortie",
    "régler son compte", "régler ton compte", "régler votre compte", "buter", "trancher",
    "décapiter", "lyncher", "poignarder", "mettre une balle", "exploser la tête", "marraver",
    "crever les pneus", "crever tes pneus", "rayer ta voiture",
])  # fmt: skip
THREATS = [
    (
        skeleton_regex(
            r"\b(?:je|j|jvais|jv|moi je|on|nous|nous alons|ils|mes potes|mes gars)\s*"
            r"(?:vais|vai|v|vas|va|alons|vont|viendrai|viendra|m en vais|peux|pourais|devrais)?\s*"
            r"(?:venir\s+)?(?:te|vous|t|les|le|la|lui|leur|l)\s+" + VIOLENT
        ),
        0.9,
    ),
    (
        skeleton_regex(
            r"\b(?:je|on|nous)\s+(?:sait|sais|savons|saura|connait|conais)\s+(?:ou|a quele adrese)\s+(?:tu|t|vous|il|ele|ils|eles)\s*(?:habite|habites|habitez|vis|vit|vivez|dors|bosse|bosses|travaile|travailes|travailez|gare)\w*"
        ),
        0.9,
    ),
    (
        skeleton_regex(
            r"\b(?:tu|vous|il|ele|ils)\s+(?:vas|va|alez|vont)\s+(?:le\s+|la\s+|me\s+le\s+)?(?:regreter|payer|crever|mourir|prendre cher|savoir qui je suis|voir ce que)"
        ),
        0.85,
    ),
    (
        skeleton_regex(
            r"\b(?:t es|tu es|vous etes|il est|ele est|c est un homme)\s+(?:mort|morts|un homme mort|une femme morte)\b"
        ),
        0.85,
    ),
    (
        skeleton_regex(
            r"\b(?:gare a (?:toi|vous|tes fesses)|fais gafe a toi|faites gafe a vous|fais gafe a ta|tu perds rien pour atendre|vous perdez rien pour atendre|je t atends|on vous atend|surveile tes arieres|a bon entendeur)"
        ),
        0.75,
    ),
    (
        skeleton_regex(
            r"\b(?:merite|meritent|meriterait|meriteraient)\s+(?:une balle|la mort|d etre pendu|de crever|d etre abattu|d etre fusille)"
        ),
        0.8,
    ),
    (
        skeleton_regex(
            r"\b(?:faudrait|faut|faudra)\s+(?:les|le|la|lui|leur)\s+(?:tuer|pendre|fusiller|bruler|buter|gazer|abattre|guillotiner|crever|egorger|lyncher)"
        ),
        0.8,
    ),
    (
        skeleton_regex(
            r"\b(?:je|j|jvais|on)\s*(?:vais|va|v)?\s+(?:defoncer|casser|eclater|exploser|peter|refaire|niquer)\s+(?:la gueule|la tete|le crane|les dents|le portrait|la face)"
        ),
        0.85,
    ),
    (
        skeleton_regex(
            r"\b(?:a mort (?:le|la|les)|une bale dans (?:la|ta|sa|votre) tete|je vais (?:tout )?(?:bruler|cramer|faire sauter|foutre le feu)|mettre le feu a la mairie|foutre le feu a la mairie|on va tout bruler|on va tout casser)"
        ),
        0.85,
    ),
    (
        skeleton_regex(
            r"\b(?:je vais venir|je vais passer|on va venir|on va debarquer|je vais debarquer)\s+(?:avec|arme|armes)\s*(?:mon|ma|un|une|des|mes)?\s*(?:fusil|flingue|couteau|batte|kalach|kalash|potes|gars|famile|armes)"
        ),
        0.85,
    ),
]
HARASSMENT = [
    skeleton_regex(
        r"\b(?:je|on)\s+(?:vais|va|vas|continuerai|continuerais|vais continuer a)\s*(?:te|vous)\s+(?:harceler|pourir la vie|pourir|lacher|suivre|afficher|ruiner|faire vire|faire virer)"
    ),
    skeleton_regex(
        r"\b(?:je|on)\s+(?:ne\s+)?(?:te|vous)\s+(?:lacherai|lachera|lache|lacherons)\s+(?:pas|jamais)"
    ),
    skeleton_regex(
        r"\b(?:je|on)\s+(?:vais|va)\s+(?:publier|balancer|afficher|diffuser|poster)\s+(?:ton|ta|tes|son|sa|ses|votre|vos)\s+(?:adrese|numero|photo|photos|nom|tel|adreses|coordonees)"
    ),
    skeleton_regex(
        r"\b(?:envoie|envoi|envoies|montre)\s+(?:moi\s+)?(?:des\s+|tes\s+|une\s+)?(?:photos?|nudes?|seins|fesses)"
    ),
    skeleton_regex(
        r"\b(?:t es|tu es|ele est|vous etes|est)\s+(?:trop\s+|bien\s+|grave\s+)?(?:bonne|chaude|bandante|baisable)\b"
    ),
    skeleton_regex(
        r"\b(?:je reviendrai|je reviendrais|je vais revenir|je posterai|je posterais)\s+(?:tous les jours|chaque jour|sans arret|tant qu il faudra|jusqu a ce que)"
    ),
    skeleton_regex(
        r"\b(?:tout le monde|toute la vile)\s+(?:va savoir|saura|doit savoir)\s+(?:que|qui)"
    ),
]
WEAPONS = skeleton_regex(
    r"\b(?:kalach|kalash|kalachnikov|flingue|bombe|atentat|explosif|grenade)s?\b"
)

# Anger: a strong cue alone makes a complaint angry; a weak one needs another cue or "!!".
ANGRY_STRONG = re.compile(r"\b" + words_pattern([
    "inadmissible", "inadmissibles", "inacceptable", "inacceptables", "scandale", "scandaleux",
    "scandaleuse", "honte", "honteux", "honteuse", "lamentable", "lamentables", "déplorable",
    "intolérable", "insupportable", "ras le bol", "marre", "ça suffit",
    "n'importe quoi", "foutage de gueule", "se fout de nous", "se foutent de nous",
    "vous foutez de nous", "vous vous foutez", "vous vous moquez", "on se moque", "se moque des",
    "se moquent des", "se moquer du monde", "se moque du monde", "pathétique", "furieux",
    "furieuse", "exaspéré", "exaspérée", "exaspérant", "excédé", "excédée", "révolté", "révoltée",
    "révoltant", "indigné", "indignée", "écœuré", "écœurée", "écœurant", "dégoûté", "dégoûtée",
    "mépris", "méprisant", "aberrant", "honte à vous", "en colère", "inhumain", "irrespectueux",
    "c'est abusé", "immangeable", "immangeables", "c'est du vol", "on nous prend pour des",
]) + r"\b")  # fmt: skip
ANGRY_WEAK = re.compile(
    r"\b(?:" + words_pattern([
        "toujours pas", "toujours rien", "jamais de réponse", "personne ne répond",
        "personne répond", "personne ne nous", "aucune réponse", "pas de réponse", "sans réponse",
        "encore une fois", "une fois de plus", "à quoi servent", "à quoi sert", "nos impôts",
        "mes impôts", "on paie des impôts", "on paye des impôts", "réveillez-vous", "ridicule",
        "absurde", "incompétence", "laisser-aller", "on est oubliés", "on est oublié",
        "abandonnés", "délaissés", "toujours le même", "qu'attendez-vous", "vous attendez quoi",
        "faites quelque chose", "faites votre travail", "faites votre boulot", "pas normal",
        "impossible d'avoir", "impossible de joindre", "merci de rien", "bravo la mairie",
        "ah bah bravo", "rien n'est fait", "rien n'a été fait", "combien de temps encore",
        "pour la deuxième fois", "pour la troisième fois", "il faudra un mort",
        "il faudra un accident", "qu'il y ait un mort", "qu'il y ait un blessé",
        "qu'il y ait un accident", "des mois que", "des semaines que", "des années que",
        "franchement", "c'est grave", "toujours en retard",
    ]) + r"|c est la (?:\d+|deuxieme|troisieme|quatrieme|cinquieme)\s*(?:e|eme)?\s*fois|"
    r"pour la (?:\d+|enieme|nieme)\s*(?:e|eme)?\s*fois|"
    r"(?:depuis|ca fait|cela fait|voila|il y a)\s+(?:plus de\s+)?(?:\d+|deux|trois|quatre|cinq|"
    r"six|huit|dix|quinze|plusieurs|des)\s+(?:jours|semaines|mois|ans|heures|h)|"
    r"(?:\d+|deux|trois|quatre|cinq|six|huit|dix|quinze|plusieurs)\s+(?:jours|semaines|mois|ans|"
    r"fois)\s+(?:que|qu))\b"
)  # fmt: skip
EXCLAMATIONS = re.compile(r"[!?]{2,}|!")
CAPS_WORD = re.compile(r"\b[A-ZÀ-ÖØ-Þ]{3,}\b")
WORD = re.compile(r"\b\w{3,}\b")


def _spans(skel: Skeleton, ranges: list[tuple[int, int]]) -> tuple[Span, ...]:
    spans = []
    for a, b in ranges:
        start, end = skel.span(a, b)
        spans.append(Span(start, end, skel.original[start:end]))
    return tuple(sorted(set(spans), key=lambda s: (s.start, s.end)))


# Words also used as adjectives about things (``c'est con``, ``c'est débile ce projet``): aimed
# only when a determiner or a person makes them a noun or an attribute of someone.
ADJECTIVES = {"con", "cone", "debile", "nul", "nule", "naze", "tare", "minable", "pourri"}
ABOUT_A_THING = re.compile(r"\b(?:c est|cest|c etait|c etais|ca a l air|trop|vraiment)\s*$")


def _aimed(skel: Skeleton, hit: Hit) -> bool:
    before = skel.text[max(0, hit.start - TARGET_WINDOW) : hit.start]
    after = skel.text[hit.end : hit.end + 30]
    base = skel.text[hit.start : hit.end].rstrip("sx")
    if base in ADJECTIVES and ABOUT_A_THING.search(before) and not _person_before(before):
        return False
    return bool(TARGET_BEFORE.search(before) or TARGET_AFTER.search(after))


PERSON_BEFORE = re.compile(
    r"\b(?:t es|tu es|vous etes|vs etes|ils sont|ele est|il est|eles sont)\b"
)


def _person_before(before: str) -> bool:
    return bool(PERSON_BEFORE.search(before[-25:]))


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
            # A strong insult counts alone; a weak one only when aimed at someone. Aimed at a
            # protected group, it is hate.
            score = weight + 0.15 if aimed else (weight - 0.15 if weight >= 0.7 else weight * 0.6)
            if _near_group(skel, hit) and weight >= 0.45:
                add("abuse.hate", max(0.75, min(score, 0.9)), hit.start, hit.end)
            else:
                add("abuse.insult", score, hit.start, hit.end)
        elif category == "slur":
            add("abuse.hate", weight, hit.start, hit.end)
        elif category == "obscene" or category == "vulgar":
            add("abuse.obscene", weight, hit.start, hit.end)
    for match in HATE_SALE.finditer(text):
        add("abuse.hate", 0.9, match.start(), match.end())
    for match in HATE_GROUP.finditer(text):
        window_start = max(0, match.start() - 60)
        exclusion = HATE_EXCLUSION.search(text, window_start, match.end() + 60)
        if exclusion:
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
    strong = list(ANGRY_STRONG.finditer(skel.text))
    weak = list(ANGRY_WEAK.finditer(skel.text))
    marks = list(EXCLAMATIONS.finditer(original))
    words = WORD.findall(original)
    caps = list(CAPS_WORD.finditer(original))
    caps_ratio = len(caps) / len(words) if words else 0.0
    score = 0.5 * min(len(strong), 2) + 0.3 * min(len(weak), 2)
    score += 0.1 * min(sum(len(m.group()) for m in marks), 3)
    if len(caps) >= 2 and caps_ratio >= 0.3:
        score += 0.2
    if not strong and not weak and score < 0.4:
        return None
    score = min(score, 1.0)
    if score < 0.25:
        return None
    spans = list(_spans(skel, [(m.start(), m.end()) for m in strong + weak]))
    spans += [Span(m.start(), m.end(), m.group()) for m in marks if len(m.group()) > 1]
    spans.sort(key=lambda s: (s.start, s.end))
    return Finding("tone.angry", round(score, 3), "tone-rules", tuple(spans))
