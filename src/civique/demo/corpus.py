"""The demo's French corpus: people, and the wording of citizens' messages and agents' answers.

Everything here is invented. Texts are templates with ``{slots}`` filled by ``texts.py``.
"""

from __future__ import annotations

# fmt: off
FEMALE_FIRST_NAMES = [
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Sandrine", "Valérie", "Christine",
    "Céline", "Aurélie", "Émilie", "Julie", "Camille", "Léa", "Chloé", "Manon", "Inès", "Sarah",
    "Fatima", "Aïcha", "Monique", "Josiane", "Hélène", "Brigitte", "Sophie", "Laëtitia", "Yasmine",
    "Océane", "Mélanie", "Anne", "Françoise", "Martine", "Élodie", "Nadège", "Khadija", "Lina",
]
MALE_FIRST_NAMES = [
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe", "Laurent",
    "Stéphane", "Julien", "Thomas", "Maxime", "Kevin", "Lucas", "Hugo", "Mehdi", "Karim", "Youssef",
    "Antoine", "Romain", "Sébastien", "François", "Gérard", "Bernard", "Daniel", "Mamadou",
    "Olivier", "Arnaud", "Franck", "Yannick", "Théo", "Enzo", "Rachid", "Benoît", "Denis",
]
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller",
    "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont",
    "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Boyer", "Denis", "Lemaire",
    "Diallo", "Benali", "Nguyen", "Traoré", "Haddad", "Da Silva", "Ferreira", "Kowalski", "Le Gall",
    "Le Goff", "Hoarau", "Cissé", "Belkacem", "Meunier", "Brun", "Barbier", "Renaud", "Colin",
]
# The reserved .example top-level domain: nothing sent there can reach anyone.
MAIL_DOMAINS = [
    "orange.example", "free.example", "laposte.example", "gmail.example", "sfr.example",
    "wanadoo.example", "hotmail.example", "yahoo.example", "outlook.example", "bbox.example",
]
# Number blocks ARCEP reserves for fiction (valid numbers that are never assigned).
PHONE_BLOCKS = ["01 99 00", "02 61 91", "03 53 73", "04 65 71", "05 36 49", "09 77 42"]

SCHOOLS = [
    "l'école maternelle Les Tilleuls", "l'école élémentaire Jules-Ferry",
    "le groupe scolaire Jean-Moulin", "l'école élémentaire Marie-Curie",
    "l'école maternelle du Parc", "le groupe scolaire Simone-Veil",
]
CHILDREN = ["Léo", "Jade", "Louise", "Gabriel", "Emma", "Raphaël", "Adam", "Alice", "Nolan", "Lou"]

# --- Incident reports ----------------------------------------------------------------------
# Per category: (a keyword of the DansMaRue sub-type, or "" for any) -> what the citizen sees.
INCIDENT_OBJECTS: dict[str, list[tuple[str, list[str]]]] = {
    "graffitis": [
        ("rideau", ["des tags sur le rideau métallique d'un commerce"]),
        ("panneau", ["des autocollants partout sur le panneau de signalisation"]),
        ("mobilier", ["des tags sur l'abribus", "des affiches collées sur le banc et l'abribus"]),
        ("affiches", ["des affiches sauvages collées sur tout le mur"]),
        ("", [
            "des tags sur la façade de l'immeuble", "un grand graffiti sur le mur",
            "des inscriptions à la bombe sur le mur du gymnase", "des tags injurieux sur le mur",
        ]),
    ],
    "encombrants": [
        ("bac", ["un bac roulant abandonné sur le trottoir"]),
        ("", [
            "un matelas et un sommier abandonnés sur le trottoir", "une vieille armoire démontée",
            "un canapé abandonné", "un frigo laissé sur le trottoir",
            "des meubles et des cartons entassés", "une machine à laver abandonnée",
        ]),
    ],
    "depots-sauvages": [
        ("sacs", ["des sacs poubelle éventrés", "une dizaine de sacs d'ordures ménagères"]),
        ("gravats", ["des gravats et des déchets de chantier"]),
        ("caddie", [
            "un caddie de supermarché abandonné", "un cadre de vélo attaché depuis des mois",
        ]),
        ("chariot", ["un chariot de supermarché renversé"]),
        ("punaises", ["un matelas qui semble infesté de punaises de lit"]),
        ("", ["un dépôt sauvage de déchets", "des pneus et des bidons abandonnés"]),
    ],
    "collecte-dechets": [
        ("verre", ["la colonne à verre pleine à ras bord, avec des bouteilles autour"]),
        ("textiles", ["le conteneur à vêtements qui déborde"]),
        ("poubelle", [
            "la poubelle de rue qui déborde", "une corbeille de rue pleine et renversée",
        ]),
        ("", ["des bacs qui n'ont pas été vidés", "le bac jaune qui n'a pas été collecté"]),
    ],
    "proprete": [
        ("urine", ["une forte odeur d'urine sous le porche"]),
        ("déjections", ["des déjections canines sur tout le trottoir"]),
        ("feuilles", ["des tas de feuilles mortes glissantes sur le trottoir"]),
        ("protoxyde", ["des cartouches de protoxyde d'azote jetées par terre"]),
        ("", [
            "des détritus éparpillés sur le trottoir", "le trottoir très sale, plein de déchets",
        ]),
    ],
    "stationnement": [
        ("deux-roues", ["un scooter garé en travers du trottoir"]),
        ("vélo", ["une épave de vélo attachée au poteau"]),
        ("", [
            "une voiture stationnée sur le passage piéton",
            "un véhicule ventouse qui ne bouge plus",
            "une camionnette garée devant la sortie de garage",
            "une voiture garée sur la place PMR",
        ]),
    ],
    "chaussee": [
        ("trou", ["un gros nid-de-poule sur la chaussée", "un trou dans le trottoir"]),
        ("revêtement", ["le revêtement du trottoir arraché sur plusieurs mètres"]),
        ("feu", ["le feu tricolore en panne au carrefour"]),
        ("chantier", ["un chantier sans barrière ni signalisation"]),
        ("marquage", ["le passage piéton complètement effacé"]),
        ("", ["des pavés descellés", "un affaissement de la chaussée"]),
    ],
    "signalisation": [
        ("panneau", ["un panneau stop tordu", "un panneau de signalisation arraché"]),
        ("potelet", ["un potelet arraché", "la barrière de protection cassée"]),
        ("plaque", ["la plaque de nom de rue cassée"]),
        ("abribus", ["la vitre de l'abribus brisée"]),
        ("", ["du mobilier urbain détérioré", "un banc public cassé"]),
    ],
    "espaces-verts": [
        ("rats", ["la présence de rats dans le square"]),
        ("arbre", ["une grosse branche qui menace de tomber", "un arbre penché dangereusement"]),
        ("herbe", ["des herbes hautes qui envahissent le trottoir"]),
        ("animal", ["un animal mort sur le trottoir"]),
        ("", ["la pelouse du square très abîmée", "une haie qui déborde sur le trottoir"]),
    ],
    "eclairage-public": [
        ("jour", ["l'éclairage public allumé en plein jour"]),
        ("fils", ["des fils électriques apparents sur un lampadaire"]),
        ("armoire", ["une armoire électrique ouverte au pied de l'immeuble"]),
        ("", [
            "un lampadaire en panne", "plusieurs lampadaires éteints",
            "un lampadaire qui clignote toute la nuit", "la rue entièrement plongée dans le noir",
        ]),
    ],
}

INCIDENT_SUBJECTS = {
    "graffitis": ["Tags sur un mur", "Graffitis", "Affichage sauvage"],
    "encombrants": ["Encombrants sur le trottoir", "Dépôt d'encombrants", "Meubles abandonnés"],
    "depots-sauvages": ["Dépôt sauvage", "Signalement dépôt sauvage", "Déchets abandonnés"],
    "collecte-dechets": ["Poubelles non collectées", "Collecte des déchets", "Conteneur plein"],
    "proprete": ["Propreté de la rue", "Trottoir sale", "Problème de propreté"],
    "stationnement": ["Stationnement gênant", "Voiture mal garée", "Véhicule ventouse"],
    "chaussee": ["Nid de poule dangereux", "Trou sur la chaussée", "Trottoir abîmé"],
    "signalisation": ["Panneau endommagé", "Mobilier urbain cassé", "Signalisation"],
    "espaces-verts": ["Espaces verts", "Arbre dangereux", "Entretien du square"],
    "eclairage-public": ["Lampadaire en panne", "Éclairage public", "Rue sans éclairage"],
}

SINCE = [
    "depuis trois jours", "depuis ce matin", "depuis au moins une semaine", "depuis hier soir",
    "depuis le week-end dernier", "depuis plusieurs jours", "depuis lundi", "depuis 15 jours",
]
CONSEQUENCES = {
    "default": [
        "C'est vraiment dangereux pour les enfants qui vont à l'école.",
        "Les personnes âgées et les poussettes doivent passer sur la route.",
        "Ça donne une image déplorable du quartier.",
        "Plusieurs voisins s'en sont déjà plaints.",
        "",
    ],
    "eclairage-public": [
        "Le soir on n'y voit rien, je ne me sens pas en sécurité en rentrant du travail.",
        "Il fait complètement noir à partir de 18 h.",
    ],
    "chaussee": [
        "Un cycliste a failli tomber hier.",
        "Ma voiture a tapé dedans et j'ai abîmé une jante.",
    ],
    "espaces-verts": ["Des enfants jouent juste à côté.", "Avec le vent, j'ai peur que ça tombe."],
    "collecte-dechets": ["Ça commence à sentir très mauvais.", "Les goélands éventrent les sacs."],
}
ASKS = [
    "Pouvez-vous faire le nécessaire ?", "Merci d'intervenir rapidement.",
    "Serait-il possible d'envoyer quelqu'un ?",
    "Je vous remercie par avance de votre intervention.",
    "Merci de faire passer l'information au service concerné.", "",
]
GREETINGS = ["Bonjour,", "Bonjour,", "Madame, Monsieur,", "Bonjour Madame, Monsieur,", "Bonsoir,"]
CLOSINGS = [
    "Cordialement,", "Bien cordialement,", "Merci d'avance,", "Bonne journée,",
    "Salutations,", "Avec mes remerciements,", "Veuillez agréer mes salutations distinguées.",
]

INCIDENT_TEMPLATES = [
    "{greet}\n\nJe vous signale {obj} {where} {since}. {cons}\n\n{ask}\n\n{close}\n{name}",
    "{greet}\n\nIl y a {obj} {where} {since}. {cons} {ask}\n\n{close}\n{name}",
    "{greet}\n\nJe me permets de vous écrire car il y a {obj} {where}, {since}. {cons}\n\n{ask}"
    "\n\n{close}\n{name}",
    "{Obj} {where} {since}. {cons} {ask}",
    "{greet} habitant le quartier, je voulais vous signaler {obj} {where}. {cons}\n{close}\n{name}",
]
ANGRY_INCIDENT_TEMPLATES = [
    "C'est la troisième fois que je signale {obj} {where} ! Toujours rien {since}. {cons} "
    "On paie des impôts pour quoi exactement ?\n{name}",
    "Bonjour,\n\nJe suis EXCÉDÉ(E). {Obj} {where} {since} et personne ne bouge. {cons} "
    "Si rien n'est fait cette semaine j'écris au maire.\n\n{name}",
    "Inadmissible. {Obj} {where}, {since}. Vous attendez un accident ?? {ask}",
]

# --- Requests that are not incident reports ------------------------------------------------
# category -> list of (subject, text). Slots: {greet} {close} {name} {child} {school} {date}
# {street} {year}.
REQUESTS: dict[str, list[tuple[str, str]]] = {
    "actes-etat-civil": [
        ("Demande d'acte de naissance",
         "{greet}\n\nJe souhaiterais obtenir une copie intégrale de mon acte de naissance "
         "(né(e) à Valmont en {year}) pour un dossier de mariage. Comment dois-je procéder ?\n\n"
         "{close}\n{name}"),
        ("Acte de décès",
         "{greet}\n\nSuite au décès de mon père le {date}, le notaire me demande trois extraits de "
         "l'acte de décès. Pouvez-vous me les envoyer par courrier ?\n\n{close}\n{name}"),
        ("Livret de famille",
         "{greet}\n\nNous avons perdu notre livret de famille lors du déménagement. Est-il "
         "possible d'en obtenir un duplicata et quels documents faut-il fournir ?"
         "\n\n{close}\n{name}"),
        ("Mariage en {year}",
         "{greet}\n\nMa compagne et moi souhaitons nous marier à la mairie de Valmont l'été "
         "prochain. Quelles sont les démarches et les délais pour déposer le dossier ?\n\n"
         "{close}\n{name}"),
        ("Recensement citoyen",
         "{greet}\n\nMon fils a eu 16 ans le mois dernier, faut il le recenser a la mairie ? "
         "Quels papiers apporter ?\n\nmerci\n{name}"),
    ],
    "passeports-cni": [
        ("Rendez-vous passeport",
         "{greet}\n\nJe n'arrive pas à trouver de créneau pour un passeport avant le {date}, "
         "nous partons en voyage début juillet. Y a-t-il une possibilité d'urgence ?"
         "\n\n{close}\n{name}"),
        ("Carte d'identité perdue",
         "{greet}\n\nJ'ai perdu ma carte d'identité. Dois-je faire une déclaration de perte à la "
         "mairie ou en ligne, et combien coûte le timbre fiscal ?\n\n{close}\n{name}"),
        ("Retrait de ma carte d'identité",
         "{greet}\n\nJ'ai reçu le SMS indiquant que ma carte d'identité est disponible. Puis-je "
         "venir la chercher sans rendez-vous ?\n\n{close}\n{name}"),
        ("Passeport pour un mineur",
         "{greet}\n\nPour le passeport de ma fille {child} (8 ans), faut-il que les deux parents "
         "soient présents au rendez-vous ?\n\n{close}\n{name}"),
    ],
    "ecoles-periscolaire": [
        ("Inscription à la cantine",
         "{greet}\n\nJe souhaite inscrire mon fils {child} à la cantine de {school} à partir "
         "du {date}. Le portail famille m'indique une erreur. Pouvez-vous m'aider ?"
         "\n\n{close}\n{name}"),
        ("Facture périscolaire",
         "{greet}\n\nMa facture du mois dernier compte 12 repas alors que {child} était malade "
         "une semaine (certificat médical fourni). Pouvez-vous corriger ?\n\n{close}\n{name}"),
        ("Centre de loisirs vacances",
         "{greet}\n\nReste-t-il des places au centre de loisirs pendant les vacances pour {child} "
         "(6 ans) ? Les inscriptions sont-elles encore ouvertes ?\n\n{close}\n{name}"),
        ("Inscription scolaire rentrée {year}",
         "{greet}\n\nNous venons d'emménager {street}. Comment inscrire notre fille {child} à "
         "l'école pour la rentrée ?\n\n{close}\n{name}"),
    ],
    "social-ccas": [
        ("Aide du CCAS",
         "{greet}\n\nJe suis seule avec deux enfants et j'ai une grosse facture d'énergie que je "
         "n'arrive pas à payer. Le CCAS peut-il m'aider ?\n\n{close}\n{name}"),
        ("Portage de repas",
         "{greet}\n\nMa mère, 87 ans, vit seule {street} et ne peut plus faire ses courses. "
         "Existe-t-il un service de portage de repas à domicile ?\n\n{close}\n{name}"),
        ("Demande de logement social",
         "{greet}\n\nJ'ai déposé une demande de logement social il y a deux ans et je n'ai jamais "
         "eu de proposition. Où en est mon dossier ?\n\n{close}\n{name}"),
        ("Plan canicule",
         "{greet}\n\nJe voudrais inscrire mon voisin, 92 ans, sur le registre canicule. Comment "
         "faire ?\n\n{close}\n{name}"),
    ],
    "urbanisme": [
        ("Déclaration préalable",
         "{greet}\n\nJe souhaite poser une clôture et un abri de jardin de 12 m² au {street}. "
         "Faut-il une déclaration préalable ?\n\n{close}\n{name}"),
        ("Permis de construire — dossier en cours",
         "{greet}\n\nJ'ai déposé un permis de construire le {date} pour une extension. Je n'ai "
         "aucune nouvelle, le dossier est-il complet ?\n\n{close}\n{name}"),
        ("Travaux du voisin",
         "{greet}\n\nMon voisin construit une véranda en limite de propriété. A-t-il une "
         "autorisation ? Je n'ai vu aucun panneau.\n\n{close}\n{name}"),
    ],
    "vie-locale": [
        ("Fête de la musique",
         "{greet}\n\nNotre groupe aimerait jouer place de la Mairie pour la fête de la musique. "
         "À qui faut-il s'adresser ?\n\n{close}\n{name}"),
        ("Salle municipale",
         "{greet}\n\nL'association des parents d'élèves voudrait réserver une salle pour une "
         "réunion le {date}. Est-ce possible ?\n\n{close}\n{name}"),
        ("Magazine municipal",
         "{greet}\n\nJe ne reçois plus le magazine municipal dans ma boîte aux lettres depuis "
         "plusieurs mois ({street}).\n\n{close}\n{name}"),
        ("Erreur sur le site internet",
         "{greet}\n\nSur le site de la ville, les horaires de la médiathèque sont faux (il est "
         "écrit ouvert le lundi). Je me suis cassé le nez ce matin.\n\n{close}\n{name}"),
    ],
    "collecte-dechets": [
        ("Demande de bac",
         "{greet}\n\nNotre bac à ordures ménagères a été volé. Comment en obtenir un nouveau "
         "?\n\n{close}\n{name}"),
        ("Calendrier de collecte",
         "{greet}\n\nQuels sont les jours de collecte des emballages {street} ? Le calendrier "
         "n'est pas clair sur le site.\n\n{close}\n{name}"),
        ("Bac non ramassé",
         "{greet}\n\nNotre bac n'a pas été collecté ce matin {street}, alors qu'il était sorti "
         "la veille au soir.\n\n{close}\n{name}"),
    ],
    "encombrants": [
        ("Rendez-vous encombrants",
         "{greet}\n\nJe déménage le {date} et voudrais faire enlever un canapé et une armoire. "
         "Comment prendre rendez-vous pour les encombrants ?\n\n{close}\n{name}"),
    ],
    "stationnement": [
        ("Carte de stationnement résident",
         "{greet}\n\nJe viens d'emménager {street}. Comment obtenir la carte de stationnement "
         "résident ?\n\n{close}\n{name}"),
        ("Contestation d'un forfait post-stationnement",
         "{greet}\n\nJ'ai reçu un forfait post-stationnement alors que j'avais bien payé avec "
         "l'application. Comment le contester ?\n\n{close}\n{name}"),
    ],
    "autre": [
        ("Objet trouvé",
         "{greet}\n\nJ'ai perdu mon portefeuille samedi au marché. Quelqu'un l'a-t-il rapporté "
         "aux objets trouvés ?\n\n{close}\n{name}"),
        ("Horaires de la mairie",
         "{greet}\n\nLa mairie est-elle ouverte le samedi matin ?\n\n{close}\n{name}"),
        ("Nuisances sonores",
         "{greet}\n\nLe bar en bas de chez moi ({street}) met la musique très fort jusqu'à 2 h du "
         "matin tous les week-ends. Que peut faire la mairie ?\n\n{close}\n{name}"),
    ],
}

# --- Agents' answers -------------------------------------------------------------------------
AGENT_OPENINGS = ["Madame, Monsieur,", "Bonjour,", "Bonjour {contact},"]
AGENT_SIGNOFFS = [
    "Nous restons à votre disposition pour tout complément.\n\nCordialement,",
    "Nous vous remercions pour votre signalement.\n\nBien cordialement,",
    "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées.",
    "Cordialement,",
]
SIGNATURE = (
    "{agent}\n{team} — Ville de Valmont\nHôtel de ville, 1 place de la Mairie, 99120 Valmont"
)

INCIDENT_ACKS = [
    "Nous avons bien reçu votre signalement concernant {topic} {where}. Il a été transmis au "
    "service {team}, qui programmera une intervention dans les meilleurs délais.",
    "Votre signalement ({topic}, {where}) a été enregistré sous la référence {reference} et "
    "transmis aux équipes de terrain. Le délai d'intervention habituel est {delay}.",
    "Merci pour votre vigilance. Une équipe du service {team} se rendra sur place {when} pour "
    "constater {topic} et faire le nécessaire.",
]
INCIDENT_DONE = [
    "Nous vous informons que l'intervention a été réalisée le {date} : {done}",
    "Les équipes sont intervenues le {date}. {done_cap}",
    "Le nécessaire a été fait le {date} ({done_short}). N'hésitez pas à nous signaler tout "
    "nouveau problème.",
]
DONE_BY_CATEGORY = {
    "graffitis": "les graffitis ont été effacés par l'équipe anti-tags.",
    "encombrants": "les encombrants ont été enlevés.",
    "depots-sauvages": "le dépôt a été évacué ; une enquête recherche son auteur.",
    "collecte-dechets": "le conteneur a été vidé et nettoyé.",
    "proprete": "la rue a été nettoyée par la balayeuse.",
    "stationnement": "la police municipale est passée et le véhicule a été verbalisé.",
    "chaussee": "le trou a été rebouché en enrobé à froid, une réfection définitive est prévue.",
    "signalisation": "le mobilier a été remplacé.",
    "espaces-verts": "la branche dangereuse a été élaguée.",
    "eclairage-public": "la lampe défectueuse a été remplacée et l'éclairage fonctionne.",
}
DELAYS = ["de 48 heures", "de cinq jours ouvrés", "d'une à deux semaines", "de 72 heures"]
WHENS = ["dès demain matin", "dans la semaine", "d'ici la fin de la semaine", "lundi prochain"]

REQUEST_ANSWERS: dict[str, list[str]] = {
    "actes-etat-civil": [
        "Vous pouvez faire votre demande en ligne sur service-public.fr (rubrique « Demande d'acte "
        "d'état civil ») ou par courrier, en joignant la copie d'une pièce d'identité. La "
        "délivrance est gratuite et le document vous est adressé sous une semaine environ.",
        "Les extraits demandés vous ont été envoyés par courrier ce jour.",
    ],
    "passeports-cni": [
        "Les rendez-vous sont ouverts chaque lundi pour les quatre semaines suivantes sur le site "
        "de la ville. En cas d'urgence justifiée (voyage professionnel, raison médicale), "
        "présentez-vous à l'accueil avec un justificatif : un créneau pourra vous être proposé.",
        "Le retrait se fait sans rendez-vous, du lundi au vendredi de 8 h 30 à 17 h, muni de "
        "l'ancien titre et du récépissé.",
    ],
    "ecoles-periscolaire": [
        "L'inscription a été enregistrée : {child} pourra déjeuner à la cantine à compter du "
        "{date}. La facture correspondante sera disponible sur le portail famille.",
        "Nous avons procédé à la régularisation : les repas de la semaine d'absence seront "
        "déduits de votre prochaine facture.",
    ],
    "social-ccas": [
        "Le Centre communal d'action sociale peut étudier votre situation. Une travailleuse "
        "sociale vous rappellera pour fixer un rendez-vous. Vous pouvez également solliciter le "
        "chèque énergie et le Fonds de solidarité logement auprès du Département.",
        "Le portage de repas est assuré du lundi au samedi par le CCAS. Un formulaire "
        "d'inscription vous a été adressé par courrier.",
    ],
    "urbanisme": [
        "Un abri de jardin de plus de 5 m² et une clôture nécessitent une déclaration préalable "
        "(formulaire Cerfa n° 13703). Le dossier peut être déposé en ligne sur le guichet "
        "numérique des autorisations d'urbanisme.",
        "Votre dossier est en cours d'instruction ; le délai réglementaire court jusqu'au {date}. "
        "Une pièce complémentaire pourra vous être demandée par courrier.",
    ],
    "vie-locale": [
        "Votre demande a été transmise au service des événements, qui vous contactera pour "
        "préciser l'emplacement et les besoins techniques.",
        "Merci de nous l'avoir signalé : l'information a été corrigée sur le site.",
    ],
    "default": [
        "Votre demande a bien été prise en compte et transmise au service compétent, qui vous "
        "répondra dans les meilleurs délais.",
        "Vous trouverez toutes les informations utiles sur le site de la ville, rubrique "
        "« Démarches ». Nos agents d'accueil sont également à votre disposition du lundi au "
        "vendredi de 8 h 30 à 17 h 30.",
    ],
}
# Asking the citizen for more, and what they answer: for incident reports, then for requests.
INFO_REQUESTS_INCIDENT = [
    "Afin de traiter votre signalement, pourriez-vous nous préciser l'emplacement exact (côté "
    "de la rue, repère à proximité) ou nous transmettre une photo ?",
]
INFO_REQUESTS = [
    "Pourriez-vous nous indiquer un numéro de téléphone où vous joindre, ainsi que la date "
    "de naissance de la personne concernée ?",
    "Pour compléter votre dossier, merci de nous transmettre un justificatif de domicile de "
    "moins de trois mois.",
]

# --- Citizens' follow-ups --------------------------------------------------------------------
THANKS = [
    "Merci beaucoup pour votre réponse rapide !", "Merci, c'est parfait. Bonne journée.",
    "Je vous remercie, c'est réparé, bravo aux équipes.", "Merci pour l'info.",
    "Super, merci beaucoup !!",
]
PRECISIONS_INCIDENT = [
    "Bonjour,\n\nC'est côté pair, juste en face de la boulangerie.\n\nCordialement",
    "Bonjour,\n\nVoici les précisions demandées : c'est au niveau de l'arrêt de bus, "
    "devant la pharmacie.\n\nBien à vous",
    "bonjour c'est juste a l'angle de la rue, on ne peut pas le rater",
]
PRECISIONS = [
    "Bonjour, vous pouvez me joindre au 09 77 42 00 00 après 18 h. Merci",
    "Re bonjour, je passerai déposer le justificatif à l'accueil demain.",
    "Bonjour,\n\nJe vous transmets le justificatif par courrier cette semaine.\n\nCordialement",
]
REMINDERS = [
    "Bonjour,\n\nJe n'ai toujours aucune nouvelle de ma demande. Pouvez-vous me dire où elle "
    "en est ?\n\nCordialement",
    "Relance : toujours rien. Merci de me tenir informé(e).",
    "Bonjour, je me permets de relancer, la situation n'a pas changé depuis mon premier message.",
]

# --- Internal notes --------------------------------------------------------------------------
NOTES = [
    "Bon d'intervention n° BI-{number} transmis à l'équipe de terrain.",
    "Vérifié sur place ce matin : confirmé.",
    "Usager déjà venu à l'accueil pour le même sujet la semaine dernière.",
    "Appelé l'usager pour précisions : messagerie, message laissé.",
    "Doublon probable avec un signalement de la semaine dernière sur la même rue.",
    "Voir avec le CCAS avant de répondre, situation connue.",
    "Priorité : école à proximité.",
    "Dossier transmis au service instructeur, réponse attendue sous dix jours.",
    "Attention, usager très remonté au téléphone. Rester factuel.",
]

# --- Agent-logged calls and visits -----------------------------------------------------------
CALL_SUMMARIES = [
    ("Appel pour signaler {obj} {where}. Signalement transmis au service {team}.", "follow_up"),
    ("Appel : {obj} {where}. Déjà signalé, intervention prévue {when}. Usager informé.",
     "resolved"),
    ("Usager mécontent, {obj} {where} {since}. Demande à être rappelé par le responsable.",
     "callback"),
]
REQUEST_CALLS = [
    ("Renseignement sur « {topic} ». Informations données, usager satisfait.", "resolved"),
    ("Appel au sujet de « {topic} ». Question transmise au service, rappel prévu.", "callback"),
    ("Appel concernant « {topic} ». Relève de la CAF : coordonnées données et démarche "
     "expliquée.", "redirected"),
    ("Appel concernant « {topic} ». Dossier incomplet, pièces à fournir rappelées.", "follow_up"),
]
VISITS = [
    ("Venue à l'accueil pour « {topic} ». Renseignée, documentation remise.", "resolved"),
    ("Visite pour « {topic} ». Dossier déposé, récépissé remis.", "follow_up"),
    ("Passage à l'accueil au sujet de « {topic} ». Orientée vers le Point justice pour un "
     "conseil juridique gratuit.", "redirected"),
    ("Venu(e) signaler {obj} {where}. Fiche de signalement saisie.", "follow_up"),
    ("Visite pour « {topic} » : la demande relève de la préfecture, démarche en ligne "
     "(ANTS) expliquée et accompagnée sur le poste en libre-service.", "redirected"),
]
# fmt: on
