"""The default charter, drawn from French public bodies' published moderation charters (city,
department and hospital pages): one entry per article, with the analyser labels that evidence it.

Plain data: the data migration ``0002_default_charter`` and ``ensure_default_charter`` (run by
``civique setup`` and the demo) create the missing articles by ``slug``, never overwriting what an
administrator edited.
"""

from __future__ import annotations

DEFAULT_CHARTER: list[dict] = [
    {
        "slug": "injures",
        "article": "1",
        "title": "Injures et outrages",
        "wording": (
            "Les propos injurieux, grossiers ou outrageants envers quiconque, agents et élus "
            "compris, sont masqués."
        ),
        "labels": ["abuse.insult"],
        "min_score": 0.5,
        "action": "hide",
        "severity": 4,
    },
    {
        "slug": "diffamation",
        "article": "2",
        "title": "Diffamation",
        "wording": (
            "Les accusations portant atteinte à l'honneur ou à la réputation d'une personne "
            "nommée ou reconnaissable sont masquées."
        ),
        "labels": [],
        "action": "review",
        "severity": 3,
    },
    {
        "slug": "haine",
        "article": "3",
        "title": "Haine et discriminations",
        "wording": (
            "Les propos racistes, antisémites, sexistes, homophobes ou discriminatoires, ou "
            "appelant à la haine ou à la violence, sont supprimés et peuvent être signalés."
        ),
        "labels": ["abuse.hate"],
        "min_score": 0.5,
        "action": "hide",
        "severity": 5,
    },
    {
        "slug": "menaces",
        "article": "4",
        "title": "Menaces et harcèlement",
        "wording": (
            "Les menaces, l'intimidation et le harcèlement d'une personne sont masqués et "
            "peuvent être signalés aux autorités."
        ),
        "labels": ["abuse.threat", "abuse.harassment"],
        "min_score": 0.5,
        "action": "hide",
        "severity": 5,
    },
    {
        "slug": "obscenite",
        "article": "5",
        "title": "Contenus obscènes",
        "wording": "Les contenus obscènes ou pornographiques sont masqués.",
        "labels": ["abuse.obscene"],
        "min_score": 0.5,
        "action": "hide",
        "severity": 4,
    },
    {
        "slug": "donnees-personnelles",
        "article": "6",
        "title": "Données personnelles et vie privée",
        "wording": (
            "Pour votre protection, les coordonnées (téléphone, adresse, courriel), numéros "
            "d'identification et informations sur la vie privée d'une personne sont masqués. "
            "Écrivez-nous en message privé."
        ),
        "labels": [
            "personal.phone",
            "personal.email",
            "personal.address",
            "personal.nir",
            "personal.iban",
            "personal.tax_number",
            "personal.plate",
            "personal.birth_date",
        ],
        "min_score": 0.6,
        "action": "hide",
        "severity": 3,
    },
    {
        "slug": "sante",
        "article": "7",
        "title": "Données de santé",
        "wording": (
            "Les informations sur la santé d'une personne (maladie, traitement, hospitalisation) "
            "sont des données sensibles au sens de l'article 9 du RGPD : elles sont masquées, "
            "et nous vous répondons en message privé."
        ),
        "labels": ["health"],
        "min_score": 0.5,
        "action": "hide",
        "severity": 4,
    },
    {
        "slug": "publicite",
        "article": "8",
        "title": "Publicité et spam",
        "wording": (
            "Les messages publicitaires, commerciaux ou les liens indésirables sont masqués."
        ),
        "labels": ["spam.advertising", "spam.link"],
        "min_score": 0.6,
        "action": "hide",
        "severity": 2,
    },
    {
        "slug": "hors-sujet",
        "article": "9",
        "title": "Hors-sujet et flood",
        "wording": (
            "Les messages sans rapport avec la publication ou répétés à l'identique peuvent être "
            "masqués."
        ),
        "labels": ["spam.flood"],
        "min_score": 0.6,
        "action": "review",
        "severity": 1,
    },
    {
        "slug": "droit-auteur",
        "article": "10",
        "title": "Droit d'auteur",
        "wording": (
            "Les contenus publiés sans l'accord de leur auteur (textes, photos, vidéos) sont "
            "masqués."
        ),
        "labels": [],
        "action": "review",
        "severity": 2,
    },
    {
        "slug": "contenus-illicites",
        "article": "11",
        "title": "Contenus illicites",
        "wording": (
            "Les contenus contraires à la loi (apologie de crimes, incitation à la violence, "
            "atteinte à la dignité humaine) sont supprimés et signalés."
        ),
        "labels": [],
        "action": "delete",
        "severity": 5,
    },
    {
        "slug": "propagande-electorale",
        "article": "12",
        "title": "Propagande électorale",
        "wording": (
            "En période électorale (article L52-1 du Code électoral), les messages de propagande "
            "pour un candidat ou une liste sont masqués, afin que nos pages restent neutres."
        ),
        "labels": ["politics.electoral"],
        "min_score": 0.5,
        "action": "hide",
        "severity": 2,
        "electoral_only": True,
    },
]

HEALTH_SLUG = "sante"


def create_missing_articles(model) -> int:
    """Create the default articles ``model`` (the real or a migration's historical CharterRule)
    lacks, by slug; return how many."""
    created = 0
    for order, data in enumerate(DEFAULT_CHARTER, start=1):
        _, new = model.objects.get_or_create(slug=data["slug"], defaults={**data, "order": order})
        created += new
    return created


def ensure_default_charter() -> int:
    from civique.moderation.models import CharterRule

    return create_missing_articles(CharterRule)
