"""The knowledge base of the demo commune of Valmont: articles, answer templates, signatures
and the directory of partner bodies. Loaded by ``civique demo`` and ``civique setup``; loading
twice changes nothing (everything is found again by its slug).

Addresses and local numbers are fictional; national numbers and websites are the real ones."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from civique.core.models import Team
from civique.inbox.models import Category
from civique.knowledge import actions
from civique.knowledge.models import (
    AnswerTemplate,
    Article,
    Form,
    Institution,
    TeamAnswerSettings,
    TemplateVariant,
)

TOWN_HALL = "Mairie de Valmont, 1 place de la République, 45800 Valmont"
TOWN_HOURS = "du lundi au vendredi, 8 h 30 – 12 h et 13 h 30 – 17 h 30 ; le samedi, 9 h – 12 h"


@dataclass
class DemoArticle:
    slug: str
    question: str
    answer: str
    keywords: str
    category: str  # a demo category slug, or ""
    public: bool = True
    team: str = ""  # a demo team slug: internal article of that team


ARTICLES = [
    DemoArticle(
        "carte-identite",
        "Comment faire ou renouveler sa carte d'identité ?",
        "La carte nationale d'identité se demande en mairie, sur rendez-vous, au service État "
        "civil. Faites d'abord une pré-demande sur ants.gouv.fr, puis venez avec le numéro de "
        "pré-demande, une photo d'identité de moins de six mois, un justificatif de domicile "
        "et l'ancienne carte. Elle est gratuite, sauf en cas de perte ou de vol (25 € en timbre "
        "fiscal). Le délai de fabrication est d'environ trois semaines.",
        "carte d'identité, CNI, papiers, renouvellement, pré-demande, ANTS, photo, identité",
        "passeports-cni",
    ),
    DemoArticle(
        "passeport",
        "Comment obtenir un passeport ?",
        "Le passeport se demande en mairie sur rendez-vous, après une pré-demande sur "
        "ants.gouv.fr. Apportez un timbre fiscal (86 € pour un majeur), une photo d'identité, un "
        "justificatif de domicile et votre carte d'identité. Comptez trois à six semaines avant "
        "un voyage.",
        "passeport, voyage, timbre fiscal, étranger, titre de voyage",
        "passeports-cni",
    ),
    DemoArticle(
        "rendez-vous-titres",
        "Comment prendre rendez-vous pour une carte d'identité ou un passeport ?",
        "Les rendez-vous se prennent en ligne sur valmont.example/rendez-vous ou par téléphone "
        "au 02 38 00 00 10. De nouveaux créneaux ouvrent chaque lundi à 9 h. En cas d'urgence "
        "justifiée (examen, voyage professionnel, décès), signalez-le : un créneau peut être "
        "réservé.",
        "rendez-vous, créneau, agenda, réservation, titre, urgence",
        "passeports-cni",
    ),
    DemoArticle(
        "titre-perdu-vole",
        "Que faire en cas de perte ou de vol de ses papiers ?",
        "En cas de vol, déposez plainte au commissariat ou à la gendarmerie. En cas de perte, "
        "la déclaration se fait lors de la demande du nouveau titre, en mairie. Un timbre "
        "fiscal de 25 € est demandé pour une carte d'identité perdue ou volée.",
        "perte, vol, perdu, volé, papiers, déclaration, plainte",
        "passeports-cni",
    ),
    DemoArticle(
        "acte-naissance",
        "Comment obtenir un acte de naissance ?",
        "Pour une naissance à Valmont, demandez la copie intégrale ou l'extrait en ligne sur "
        "service-public.fr, par courrier ou au guichet de l'état civil. C'est gratuit et envoyé "
        "sous huit jours. Pour une naissance à l'étranger, adressez-vous au Service central "
        "d'état civil de Nantes.",
        "acte de naissance, extrait, copie intégrale, naissance, état civil",
        "actes-etat-civil",
    ),
    DemoArticle(
        "acte-mariage-deces",
        "Comment obtenir un acte de mariage ou de décès ?",
        "Les actes de mariage et de décès se demandent à la mairie du lieu de l'événement, en "
        "ligne sur service-public.fr ou au guichet. La délivrance est gratuite.",
        "acte de mariage, acte de décès, copie, extrait, décès, mariage",
        "actes-etat-civil",
    ),
    DemoArticle(
        "mariage",
        "Comment se marier à Valmont ?",
        "Déposez le dossier de mariage au service État civil au moins deux mois avant la date "
        "souhaitée : pièces d'identité, actes de naissance de moins de trois mois, justificatifs "
        "de domicile et liste des témoins. Une audition des futurs époux peut être prévue.",
        "mariage, se marier, dossier, témoins, cérémonie, publication des bans",
        "actes-etat-civil",
    ),
    DemoArticle(
        "pacs",
        "Comment conclure un PACS ?",
        "Le PACS s'enregistre en mairie sur rendez-vous ou chez un notaire. Remplissez la "
        "convention (formulaire cerfa 15726) et la déclaration conjointe, puis apportez vos "
        "actes de naissance et pièces d'identité.",
        "pacs, pacte civil de solidarité, union, convention, notaire",
        "actes-etat-civil",
    ),
    DemoArticle(
        "declaration-naissance",
        "Comment déclarer une naissance ?",
        "La naissance se déclare dans les cinq jours à la mairie du lieu de naissance. La "
        "maternité de Valmont transmet la plupart des déclarations ; sinon, venez avec le "
        "certificat d'accouchement et vos pièces d'identité.",
        "déclarer naissance, bébé, nouveau-né, reconnaissance, maternité",
        "actes-etat-civil",
    ),
    DemoArticle(
        "recensement-citoyen",
        "Comment se faire recenser à 16 ans ?",
        "Le recensement citoyen est obligatoire dans les trois mois qui suivent le 16e "
        "anniversaire. Faites-le en ligne sur majdc.fr ou en mairie avec une pièce d'identité et "
        "le livret de famille. L'attestation est demandée pour le permis et les examens.",
        "recensement, 16 ans, journée défense citoyenneté, JDC, attestation, militaire",
        "actes-etat-civil",
    ),
    DemoArticle(
        "inscription-listes-electorales",
        "Comment s'inscrire sur les listes électorales ?",
        "Inscrivez-vous en ligne sur service-public.fr ou en mairie avec une pièce d'identité et "
        "un justificatif de domicile, au plus tard le sixième vendredi avant un scrutin. Les "
        "jeunes de 18 ans recensés sont inscrits d'office.",
        "listes électorales, voter, vote, élections, inscription, carte électorale",
        "autre",
    ),
    DemoArticle(
        "procuration",
        "Comment donner procuration pour voter ?",
        "Faites la demande sur maprocuration.gouv.fr puis validez-la au commissariat ou à la "
        "gendarmerie, ou remplissez le formulaire sur place. La personne qui vote pour vous peut "
        "être inscrite dans une autre commune.",
        "procuration, vote, élections, absent, voter à ma place",
        "autre",
    ),
    DemoArticle(
        "nid-de-poule",
        "Comment signaler un nid-de-poule ou une chaussée abîmée ?",
        "Signalez-le sur le portail citoyen (rubrique Voirie) avec l'adresse précise et une "
        "photo. Les équipes de la voirie interviennent sous 48 heures pour un danger, sous trois "
        "semaines sinon. Les routes départementales relèvent du Département.",
        "nid-de-poule, trou, chaussée, route, trottoir abîmé, bitume, voirie",
        "chaussee",
    ),
    DemoArticle(
        "lampadaire-panne",
        "Un lampadaire est en panne : que faire ?",
        "Indiquez l'adresse et, si possible, le numéro inscrit sur le mât, sur le portail "
        "citoyen ou par téléphone. La réparation a lieu sous une semaine ; une panne de toute "
        "une rue est traitée en priorité.",
        "lampadaire, éclairage public, lumière, panne, rue noire, réverbère, ampoule",
        "eclairage-public",
    ),
    DemoArticle(
        "feu-tricolore",
        "Un feu tricolore ou un panneau est abîmé",
        "Signalez immédiatement un feu en panne ou un panneau tombé : c'est traité comme une "
        "urgence. Indiquez le carrefour et le sens de circulation.",
        "feu rouge, feu tricolore, panneau, signalisation, stop, carrefour",
        "signalisation",
    ),
    DemoArticle(
        "arbre-elagage",
        "Un arbre est dangereux ou doit être élagué",
        "Pour un arbre sur le domaine public, signalez-le aux espaces verts : une branche "
        "menaçante est traitée en urgence. Un arbre d'un voisin relève d'un accord entre "
        "voisins ou du conciliateur de justice.",
        "arbre, élagage, branche, tronc, haie, espaces verts, chute",
        "espaces-verts",
    ),
    DemoArticle(
        "stationnement-residentiel",
        "Comment obtenir une carte de stationnement résident ?",
        "La carte résident (15 € par mois) se demande en ligne ou à l'accueil avec la carte "
        "grise à votre adresse et un justificatif de domicile de moins de trois mois.",
        "stationnement, carte résident, garer, parking, voiture, abonnement",
        "stationnement",
    ),
    DemoArticle(
        "voiture-ventouse",
        "Une voiture est garée depuis des semaines au même endroit",
        "Un véhicule stationné plus de sept jours au même endroit peut être enlevé. "
        "Signalez-le à la police municipale (02 38 00 00 17) avec la plaque et l'adresse.",
        "voiture ventouse, épave, abandonnée, garée, véhicule, police municipale",
        "stationnement",
    ),
    DemoArticle(
        "amende-stationnement",
        "Comment contester un avis de stationnement ?",
        "Le forfait post-stationnement se conteste d'abord auprès de la commune (recours "
        "administratif préalable) dans le mois, par courrier ou en ligne. Une amende pénale "
        "(PV) se conteste sur antai.gouv.fr.",
        "amende, PV, contravention, forfait post-stationnement, contester, FPS",
        "stationnement",
    ),
    DemoArticle(
        "collecte-ordures",
        "Quels sont les jours de collecte des ordures ménagères ?",
        "Les ordures ménagères sont collectées le lundi et le jeudi, les emballages (bac jaune) "
        "le mercredi. Sortez les bacs la veille au soir et rentrez-les après le passage. Le "
        "calendrier de votre rue est sur valmont.example/collecte.",
        "poubelle, ordures, collecte, ramassage, jours, bac, sortir les poubelles, calendrier",
        "collecte-dechets",
    ),
    DemoArticle(
        "bac-casse",
        "Mon bac à ordures est cassé ou a été volé",
        "Le remplacement d'un bac cassé ou volé est gratuit : faites la demande avec votre "
        "adresse et la taille du bac. La livraison a lieu sous quinze jours.",
        "bac, poubelle cassée, couvercle, roue, volé, remplacement, conteneur",
        "collecte-dechets",
    ),
    DemoArticle(
        "poubelle-non-ramassee",
        "Ma poubelle n'a pas été ramassée",
        "Vérifiez que le bac était sorti la veille et que le tri est respecté (un bac jaune mal "
        "trié est refusé avec un autocollant). Sinon, signalez l'oubli : un passage de "
        "rattrapage est organisé sous 48 heures.",
        "poubelle pas ramassée, oubli, collecte manquée, camion, pas passé",
        "collecte-dechets",
    ),
    DemoArticle(
        "tri-selectif",
        "Que mettre dans le bac jaune ?",
        "Tous les emballages et papiers : bouteilles et flacons en plastique, boîtes de "
        "conserve, cartonnettes, briques, journaux. Le verre va dans les bornes à verre.",
        "tri, bac jaune, recyclage, emballages, plastique, verre, carton",
        "collecte-dechets",
    ),
    DemoArticle(
        "encombrants",
        "Comment se débarrasser d'encombrants ?",
        "La collecte des encombrants est gratuite, sur rendez-vous, le premier mardi du mois : "
        "meubles, matelas, gros électroménager (trois mètres cubes au plus). Sinon, déposez-les "
        "à la déchetterie.",
        "encombrants, meubles, matelas, frigo, électroménager, canapé, ramassage, gros objets",
        "encombrants",
    ),
    DemoArticle(
        "decheterie",
        "Quels sont les horaires de la déchetterie ?",
        "La déchetterie de la rue des Tanneurs est ouverte du mardi au samedi, 9 h – 12 h et "
        "14 h – 18 h, et le dimanche matin. L'accès est gratuit pour les habitants sur "
        "présentation de la carte d'accès.",
        "déchetterie, déchèterie, horaires, gravats, déchets verts, carte d'accès",
        "encombrants",
    ),
    DemoArticle(
        "depot-sauvage",
        "Comment signaler un dépôt sauvage ?",
        "Signalez le dépôt avec l'adresse et une photo : il est enlevé sous 72 heures. Un dépôt "
        "sauvage est passible d'une amende jusqu'à 1 500 € ; les auteurs identifiés sont "
        "poursuivis.",
        "dépôt sauvage, déchets abandonnés, ordures par terre, décharge, sacs",
        "depots-sauvages",
    ),
    DemoArticle(
        "graffitis",
        "Comment faire effacer un graffiti ?",
        "L'effacement des graffitis est gratuit sur les murs visibles de la rue, y compris sur "
        "les façades privées, avec l'accord du propriétaire. Un tag injurieux est effacé sous "
        "24 heures.",
        "graffiti, tag, mur, façade, peinture, affichage sauvage, inscription",
        "graffitis",
    ),
    DemoArticle(
        "proprete-dejections",
        "Les trottoirs sont sales ou pleins de déjections canines",
        "Signalez la rue concernée au service Propreté : le balayage est renforcé. Ne pas "
        "ramasser les déjections de son chien est puni d'une amende de 68 €.",
        "trottoir sale, crottes, déjections canines, chien, balayage, propreté",
        "proprete",
    ),
    DemoArticle(
        "inscription-ecole",
        "Comment inscrire mon enfant à l'école ?",
        "L'inscription se fait au service Éducation de la mairie, de janvier à mars pour la "
        "rentrée suivante, avec le livret de famille, un justificatif de domicile et le carnet "
        "de santé. La mairie vous indique l'école de secteur.",
        "inscription école, scolaire, maternelle, primaire, rentrée, enfant, secteur",
        "ecoles-periscolaire",
    ),
    DemoArticle(
        "cantine-tarifs",
        "Comment fonctionne la cantine et combien coûte-t-elle ?",
        "Le prix du repas dépend du quotient familial, de 0,80 € à 4,60 €. L'inscription à la "
        "restauration scolaire se fait sur le portail famille ; les menus y sont publiés chaque "
        "mois.",
        "cantine, restauration scolaire, repas, tarif, prix, menu, quotient familial",
        "ecoles-periscolaire",
    ),
    DemoArticle(
        "periscolaire",
        "Comment inscrire mon enfant à la garderie ou au centre de loisirs ?",
        "Garderie du matin et du soir, mercredis et vacances : inscription sur le portail "
        "famille au plus tard huit jours avant. Tarifs selon le quotient familial.",
        "garderie, périscolaire, centre de loisirs, centre aéré, mercredi, vacances, accueil",
        "ecoles-periscolaire",
    ),
    DemoArticle(
        "permis-construire",
        "Faut-il une autorisation pour des travaux ?",
        "Une déclaration préalable suffit pour une clôture, un abri de jardin de 5 à 20 m², un "
        "changement de fenêtres ou une piscine non couverte ; au-delà, un permis de construire. "
        "Déposez le dossier en ligne ou au service Urbanisme, qui vous conseille sur rendez-vous.",
        "permis de construire, déclaration préalable, travaux, urbanisme, clôture, extension",
        "urbanisme",
    ),
    DemoArticle(
        "occupation-domaine-public",
        "Comment installer un échafaudage ou une benne dans la rue ?",
        "Demandez une autorisation d'occupation du domaine public au moins quinze jours avant, "
        "avec le plan et les dates. Une redevance s'applique selon la surface et la durée.",
        "benne, échafaudage, déménagement, occupation du domaine public, arrêté, stationnement",
        "urbanisme",
    ),
    DemoArticle(
        "bruit-voisinage",
        "Que faire contre le bruit du voisinage ?",
        "Parlez d'abord à votre voisin, puis écrivez-lui. Les travaux bruyants sont permis en "
        "semaine de 8 h 30 à 19 h 30, le samedi de 9 h à 12 h et de 15 h à 19 h, le dimanche de "
        "10 h à 12 h. En cas de tapage nocturne, appelez la police municipale ou le 17.",
        "bruit, voisin, tapage, nuisances sonores, musique, aboiements, travaux bruyants",
        "autre",
    ),
    DemoArticle(
        "ccas-aide",
        "Quelles aides le CCAS peut-il m'apporter ?",
        "Le centre communal d'action sociale reçoit sur rendez-vous : aides d'urgence "
        "(alimentaire, énergie), domiciliation, accompagnement des personnes âgées, dossier "
        "d'aide sociale. Appelez le 02 38 00 00 30.",
        "CCAS, aide sociale, aide financière, urgence, colis alimentaire, facture, difficulté",
        "social-ccas",
    ),
    DemoArticle(
        "portage-repas",
        "Comment bénéficier du portage de repas à domicile ?",
        "Le CCAS livre des repas aux personnes âgées ou handicapées, du lundi au vendredi. "
        "Inscription par téléphone ; le tarif dépend des ressources.",
        "portage de repas, personne âgée, senior, livraison, domicile, repas",
        "social-ccas",
    ),
    DemoArticle(
        "salle-location",
        "Comment louer une salle municipale ?",
        "Les salles des fêtes se louent pour les habitants et les associations, sur demande "
        "écrite au moins deux mois avant. Tarifs et disponibilités sur valmont.example/salles.",
        "location salle, salle des fêtes, réservation salle, fête, anniversaire, association",
        "vie-locale",
    ),
    DemoArticle(
        "horaires-mairie",
        "Quels sont les horaires d'ouverture de la mairie ?",
        f"La mairie est ouverte {TOWN_HOURS}. Le service État civil reçoit sur rendez-vous le "
        "samedi matin. Adresse : " + TOWN_HALL + ".",
        "horaires, ouverture, mairie, accueil, heures, fermeture, samedi",
        "autre",
    ),
    DemoArticle(
        "association-subvention",
        "Comment une association demande-t-elle une subvention ?",
        "Le dossier de subvention est à déposer avant le 31 octobre pour l'année suivante, sur "
        "le portail des associations, avec le budget et le bilan de l'année.",
        "association, subvention, dossier, financement, aide aux associations",
        "vie-locale",
    ),
    DemoArticle(
        "procedure-interne-urgence-voirie",
        "Procédure d'astreinte voirie (interne)",
        "Hors heures d'ouverture, un danger sur la voie publique (arbre tombé, plaque d'égout "
        "ouverte, feu en panne) se signale à l'astreinte technique au 06 00 00 00 99. Noter "
        "l'appel dans la demande.",
        "astreinte, urgence, danger, nuit, week-end, technique",
        "chaussee",
        public=False,
        team="voirie",
    ),
    DemoArticle(
        "consignes-moderation",
        "Répondre à un commentaire agressif (interne)",
        "Ne jamais répondre sur le même ton ; rappeler la charte de modération, proposer un "
        "échange en message privé, masquer un commentaire injurieux et le signaler au "
        "superviseur.",
        "agressif, insulte, commentaire, modération, charte, réseaux sociaux",
        "site-internet",
        public=False,
        team="communication",
    ),
]


@dataclass
class DemoTemplate:
    slug: str
    title: str
    keywords: str
    category: str
    formal: str
    short: str = ""
    message: str = ""
    english: str = ""


TEMPLATES = [
    DemoTemplate(
        "accuse-reception",
        "Accusé de réception",
        "accusé de réception, bien reçu, prise en compte",
        "",
        "Bonjour {nom},\n\nNous avons bien reçu votre demande, enregistrée sous la référence "
        "{reference}. Elle est suivie par le service {equipe}, qui vous répondra dans un délai "
        "de {delai}.\n\nNous restons à votre disposition.",
        "Merci pour votre message, nous le transmettons au service concerné.",
        "Bonjour {nom}, votre demande {reference} est bien reçue ; le service {equipe} vous "
        "répond sous {delai}.",
        "Hello {nom},\n\nWe have received your request, reference {reference}. The {equipe} "
        "team will answer within {delai}.",
    ),
    DemoTemplate(
        "signalement-transmis",
        "Signalement transmis aux équipes techniques",
        "signalement, intervention, équipe technique, transmis",
        "chaussee",
        "Bonjour {nom},\n\nMerci pour votre signalement (référence {reference}). Il a été "
        "transmis aux équipes du service {equipe}, qui interviendront dans un délai de {delai}. "
        "Vous serez informé(e) de l'intervention.",
        "Merci pour ce signalement ! Les équipes de la Ville sont prévenues.",
        "Merci {nom}, votre signalement {reference} est transmis au service {equipe}.",
    ),
    DemoTemplate(
        "demande-precisions",
        "Demande de précisions (adresse, photo)",
        "précisions, adresse exacte, photo, localisation, complément",
        "",
        "Bonjour {nom},\n\nAfin de traiter votre demande {reference}, pourriez-vous nous "
        "préciser l'adresse exacte (numéro et rue) et, si possible, nous envoyer une photo ?",
        "Merci ! Pouvez-vous nous écrire en message privé l'adresse exacte ?",
        "Bonjour {nom}, pouvez-vous nous donner l'adresse exacte et une photo si possible ?",
    ),
    DemoTemplate(
        "intervention-realisee",
        "Intervention réalisée",
        "intervention réalisée, réparé, terminé, résolu",
        "",
        "Bonjour {nom},\n\nL'intervention demandée ({reference}) a été réalisée. N'hésitez pas "
        "à nous recontacter si le problème persiste.",
        "C'est réparé, merci pour votre vigilance !",
        "Bonjour {nom}, l'intervention ({reference}) est faite. Merci de votre signalement.",
    ),
    DemoTemplate(
        "rendez-vous-titre",
        "Rendez-vous pour un titre d'identité",
        "rendez-vous, carte d'identité, passeport, créneau",
        "passeports-cni",
        "Bonjour {nom},\n\nLes rendez-vous pour une carte d'identité ou un passeport se prennent "
        "sur valmont.example/rendez-vous ou au 02 38 00 00 10. Pensez à la pré-demande sur "
        "ants.gouv.fr et à apporter son numéro.",
        "Les rendez-vous se prennent sur valmont.example/rendez-vous 👍",
        "Bonjour {nom}, prenez rendez-vous sur valmont.example/rendez-vous ou au "
        "02 38 00 00 10, après la pré-demande sur ants.gouv.fr.",
    ),
    DemoTemplate(
        "invitation-message-prive",
        "Invitation à poursuivre en message privé",
        "message privé, données personnelles, coordonnées, privé",
        "",
        "Bonjour {nom},\n\nPour traiter votre demande sans exposer vos informations "
        "personnelles, nous vous invitons à nous écrire à contact@valmont.example.",
        "Bonjour, pour vous répondre précisément, écrivez-nous en message privé 🙂",
        "Bonjour {nom}, continuons ici en privé : pouvez-vous nous donner vos coordonnées ?",
    ),
    DemoTemplate(
        "rappel-charte",
        "Rappel de la charte de modération",
        "charte, modération, insulte, respect, commentaire agressif",
        "site-internet",
        "Bonjour {nom},\n\nNous entendons votre mécontentement. Nos échanges sont régis par une "
        "charte de modération publiée sur valmont.example/charte : nous vous remercions de la "
        "respecter afin que nous puissions vous répondre.",
        "Nous vous répondons volontiers dans le respect de notre charte : valmont.example/charte.",
    ),
    DemoTemplate(
        "hors-delai",
        "Excuses pour le retard de réponse",
        "retard, excuses, délai dépassé, relance",
        "",
        "Bonjour {nom},\n\nNous vous prions de nous excuser pour le délai de réponse à votre "
        "demande {reference}. Le service {equipe} la traite en priorité.",
        "Toutes nos excuses pour ce délai, nous revenons vers vous très vite.",
    ),
]

# slug, name, description, keywords, categories, address, phone (E.164), email, website, hours
INSTITUTIONS = [
    (
        "caf",
        "Caisse d'allocations familiales (CAF) du Loiret",
        "Allocations familiales, aides au logement (APL), RSA, prime d'activité, "
        "allocation de rentrée scolaire, aide à la garde d'enfants.",
        "CAF, allocations, APL, aide au logement, RSA, prime d'activité, allocation familiale",
        ["social-ccas"],
        "Place Saint-Charles, 45000 Orléans",
        "+33969322152",
        "",
        "https://www.caf.fr",
        "du lundi au vendredi, 8 h 30 – 16 h 30, sur rendez-vous",
    ),
    (
        "cpam",
        "Caisse primaire d'assurance maladie (CPAM)",
        "Carte Vitale, remboursements de soins, arrêts maladie, complémentaire santé "
        "solidaire, attestation de droits.",
        "CPAM, sécurité sociale, carte vitale, remboursement, arrêt maladie, ameli, mutuelle",
        [],
        "Place du Général de Gaulle, 45000 Orléans",
        "+33184903646",
        "",
        "https://www.ameli.fr",
        "du lundi au vendredi, 8 h 30 – 17 h",
    ),
    (
        "prefecture",
        "Préfecture du Loiret",
        "Permis de conduire, certificat d'immatriculation (carte grise), titres de séjour, "
        "naturalisation, associations.",
        "préfecture, carte grise, permis de conduire, titre de séjour, immatriculation, "
        "naturalisation, étranger",
        [],
        "181 rue de Bourgogne, 45000 Orléans",
        "+33238813900",
        "",
        "https://www.loiret.gouv.fr",
        "accueil sur rendez-vous uniquement",
    ),
    (
        "ants",
        "Agence nationale des titres sécurisés (ANTS)",
        "Démarches en ligne : pré-demande de carte d'identité et de passeport, permis de "
        "conduire, carte grise, suivi de la fabrication d'un titre.",
        "ANTS, pré-demande, suivi titre, carte grise en ligne, permis en ligne",
        ["passeports-cni"],
        "",
        "+33970830751",
        "",
        "https://ants.gouv.fr",
        "en ligne, à toute heure",
    ),
    (
        "departement",
        "Conseil départemental du Loiret",
        "RSA (accompagnement), allocation personnalisée d'autonomie (APA), protection "
        "maternelle et infantile (PMI), aide sociale à l'enfance, collèges, routes "
        "départementales.",
        "département, conseil départemental, APA, PMI, aide sociale à l'enfance, collège, route "
        "départementale, RSA",
        ["social-ccas"],
        "45945 Orléans Cedex 9",
        "+33238254525",
        "contact@departement.example",
        "https://www.loiret.fr",
        "du lundi au vendredi, 8 h 30 – 17 h",
    ),
    (
        "mdph",
        "Maison départementale des personnes handicapées (MDPH)",
        "Reconnaissance du handicap, allocation aux adultes handicapés (AAH), prestation de "
        "compensation, carte mobilité inclusion, orientation scolaire.",
        "MDPH, handicap, AAH, carte mobilité inclusion, CMI, invalidité, fauteuil",
        ["social-ccas"],
        "15 rue Claude Lewy, 45000 Orléans",
        "+33238256060",
        "",
        "https://www.loiret.fr/mdph",
        "du lundi au vendredi, 9 h – 12 h et 14 h – 16 h",
    ),
    (
        "region",
        "Région Centre-Val de Loire",
        "Lycées, transports scolaires et interurbains (Rémi), trains régionaux, formation "
        "professionnelle, aides aux entreprises.",
        "région, lycée, transport scolaire, car, bus interurbain, Rémi, TER, train",
        ["ecoles-periscolaire"],
        "9 rue Saint-Pierre Lentin, 45000 Orléans",
        "+33238703030",
        "",
        "https://www.centre-valdeloire.fr",
        "du lundi au vendredi, 9 h – 17 h",
    ),
    (
        "france-travail",
        "France Travail (ex-Pôle emploi)",
        "Inscription comme demandeur d'emploi, indemnisation chômage, offres d'emploi, "
        "formation, accompagnement.",
        "France Travail, Pôle emploi, chômage, emploi, travail, indemnités, inscription, ARE",
        [],
        "12 avenue de la Gare, 45800 Valmont",
        "+33972723949",
        "",
        "https://www.francetravail.fr",
        "du lundi au vendredi, 8 h 30 – 12 h 30 ; l'après-midi sur rendez-vous",
    ),
    (
        "finances-publiques",
        "Centre des finances publiques de Valmont",
        "Impôt sur le revenu, taxe foncière, taxe d'habitation des résidences secondaires, "
        "paiement des amendes et des factures de cantine.",
        "impôts, impôt sur le revenu, taxe foncière, taxe d'habitation, trésor public, "
        "déclaration de revenus, finances publiques",
        [],
        "8 rue du Trésor, 45800 Valmont",
        "+33809401401",
        "",
        "https://www.impots.gouv.fr",
        "lundi, mardi et jeudi, 8 h 45 – 12 h, sur rendez-vous l'après-midi",
    ),
    (
        "agglomeration",
        "Communauté d'agglomération Valmont Loire",
        "Eau potable et assainissement, transports urbains (bus), développement économique.",
        "eau, fuite d'eau, assainissement, égout, facture d'eau, bus, transport urbain",
        [],
        "3 rue des Halles, 45800 Valmont",
        "+33238000050",
        "contact@agglo-valmont.example",
        "https://agglo-valmont.example",
        "du lundi au vendredi, 8 h 30 – 17 h",
    ),
    (
        "enedis",
        "Enedis — dépannage électricité",
        "Coupures de courant, câbles électriques tombés, compteur Linky.",
        "coupure de courant, électricité, panne électrique, Linky, compteur, câble",
        [],
        "",
        "+33972675045",
        "",
        "https://www.enedis.fr",
        "dépannage 24 h sur 24",
    ),
    (
        "police-nationale",
        "Commissariat de police de Valmont",
        "Dépôt de plainte, main courante, vols, violences, objets trouvés de valeur.",
        "police, plainte, commissariat, vol, cambriolage, agression, main courante",
        [],
        "5 boulevard Victor Hugo, 45800 Valmont",
        "+33238000017",
        "",
        "https://www.masecurite.interieur.gouv.fr",
        "accueil 24 h sur 24 ; urgence : 17",
    ),
]

TEAM_SETTINGS = {
    "accueil": ("10 jours", "L'accueil de la mairie de Valmont\n02 38 00 00 00"),
    "etat-civil": ("15 jours", "Le service État civil de la Ville de Valmont"),
    "voirie": ("3 semaines", "Le service Voirie de la Ville de Valmont"),
    "proprete-dechets": ("72 heures", "Le service Propreté – déchets de la Ville de Valmont"),
    "communication": ("48 heures", "L'équipe Communication de la Ville de Valmont"),
}


REDIRECT_TEXT = (
    "Bonjour {nom},\n\nVotre demande relève de {organisme}, qui pourra vous répondre "
    "directement : {telephone}, {site}. Horaires : {horaires}.\n\nLa Ville reste à votre "
    "écoute pour toute autre question."
)


@transaction.atomic
def load_knowledge_base() -> dict[str, int]:
    """Create what is missing of the demo knowledge base; what exists is left as it is."""
    categories = {category.slug: category for category in Category.objects.all()}
    teams = {team.slug: team for team in Team.objects.all()}
    created = {"articles": 0, "templates": 0, "institutions": 0}
    for spec in ARTICLES:
        if Article.objects.filter(slug=spec.slug).exists():
            continue
        actions.save_article(
            None,
            None,
            slug=spec.slug,
            question=spec.question,
            answer=spec.answer,
            keywords=spec.keywords,
            category=categories.get(spec.category),
            team=teams.get(spec.team),
            is_public=spec.public,
        )
        created["articles"] += 1
    for spec in TEMPLATES:
        template, made = AnswerTemplate.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "keywords": spec.keywords,
                "category": categories.get(spec.category),
            },
        )
        if not made:
            continue
        for form, language, body in [
            (Form.FORMAL, "fr", spec.formal),
            (Form.SHORT, "fr", spec.short),
            (Form.MESSAGE, "fr", spec.message),
            (Form.FORMAL, "en", spec.english),
        ]:
            if body:
                TemplateVariant.objects.create(
                    template=template, form=form, language=language, body=body
                )
        actions.sync_template(template)
        created["templates"] += 1
    for (
        slug,
        name,
        description,
        keywords,
        themes,
        address,
        phone,
        email,
        site,
        hours,
    ) in INSTITUTIONS:
        institution, made = Institution.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "keywords": keywords,
                "address": address,
                "phone": phone,
                "email": email,
                "website": site,
                "hours": hours,
                "redirect_text": REDIRECT_TEXT,
            },
        )
        if not made:
            continue
        institution.categories.set([categories[s] for s in themes if s in categories])
        actions.sync_institution(institution)
        created["institutions"] += 1
    for slug, (delay, signature) in TEAM_SETTINGS.items():
        if slug in teams:
            TeamAnswerSettings.objects.get_or_create(
                team=teams[slug], defaults={"announced_delay": delay, "signature": signature}
            )
    return created
