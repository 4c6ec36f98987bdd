"""The knowledge base: articles (versioned), answer templates with their variants per channel
form and language, signatures, partner bodies and redirections, and the search index with what
agents chose from it."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civique.core.models import Team, TimestampedModel
from civique.inbox.models import Category, Conversation, Message

LANGUAGE_CHOICES = settings.LANGUAGES


class Article(TimestampedModel):
    """A question and its answer (« fiche »). Every save through ``actions.save_article``
    keeps a numbered ``ArticleVersion`` with its author."""

    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("réponse"))
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("thème"), null=True, blank=True, on_delete=models.SET_NULL
    )
    # None: every team may use it; else only that team (and administrators) when internal.
    team = models.ForeignKey(
        Team, verbose_name=_("service"), null=True, blank=True, on_delete=models.SET_NULL
    )
    valid_from = models.DateField(_("valable à partir du"), null=True, blank=True)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)
    is_public = models.BooleanField(_("publique (FAQ du portail)"), default=False)
    language = models.CharField(_("langue"), max_length=8, choices=LANGUAGE_CHOICES, default="fr")
    version = models.PositiveIntegerField(_("version"), default=0)

    class Meta:
        ordering = ["question"]
        verbose_name = _("fiche")
        verbose_name_plural = _("fiches")

    def __str__(self) -> str:
        return self.question

    def is_valid_on(self, day) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


# What an agent edits on an article (and what a version records).
ARTICLE_FIELDS = (
    "question",
    "answer",
    "keywords",
    "category",
    "team",
    "valid_from",
    "valid_until",
    "is_public",
    "language",
)


class ArticleVersion(models.Model):
    """What an article said after one save, who saved it and when. Append-only."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("réponse"))
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    category_name = models.CharField(_("thème"), max_length=120, blank=True)
    team_name = models.CharField(_("service"), max_length=120, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_label = models.CharField(_("auteur"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="articleversion_unique")
        ]
        verbose_name = _("version de fiche")
        verbose_name_plural = _("versions de fiche")

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


class Form(models.TextChoices):
    """The shape an answer takes on a channel."""

    SHORT = "short", _("Courte (commentaire public)")
    MESSAGE = "message", _("Message privé (Messenger, WhatsApp, SMS…)")
    FORMAL = "formal", _("Formelle (courriel, courrier, portail)")


class AnswerTemplate(TimestampedModel):
    """A template answer (« réponse type »); its texts are its variants."""

    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    title = models.CharField(_("titre"), max_length=200)
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    category = models.ForeignKey(
        Category, verbose_name=_("thème"), null=True, blank=True, on_delete=models.SET_NULL
    )
    team = models.ForeignKey(
        Team, verbose_name=_("service"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("réponse type")
        verbose_name_plural = _("réponses types")

    def __str__(self) -> str:
        return self.title


class TemplateVariant(models.Model):
    template = models.ForeignKey(AnswerTemplate, on_delete=models.CASCADE, related_name="variants")
    form = models.CharField(_("forme"), max_length=16, choices=Form.choices, default=Form.FORMAL)
    language = models.CharField(_("langue"), max_length=8, choices=LANGUAGE_CHOICES, default="fr")
    body = models.TextField(
        _("texte"),
        help_text=_(
            "Variables : {nom}, {reference}, {equipe}, {delai}, {signature} "
            "(voir docs/knowledge.md)."
        ),
    )

    class Meta:
        ordering = ["template", "form", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "form", "language"], name="templatevariant_unique"
            )
        ]
        verbose_name = _("variante")
        verbose_name_plural = _("variantes")

    def __str__(self) -> str:
        return f"{self.template} ({self.get_form_display()}, {self.language})"


class AgentSignature(models.Model):
    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="knowledge_signature"
    )
    text = models.TextField(_("signature"))

    class Meta:
        verbose_name = _("signature d'agent")
        verbose_name_plural = _("signatures d'agents")

    def __str__(self) -> str:
        return str(self.agent)


class TeamAnswerSettings(models.Model):
    """A team's signature and the answer deadline it announces ({delai})."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="answer_settings")
    signature = models.TextField(_("signature du service"), blank=True)
    announced_delay = models.CharField(
        _("délai annoncé"), max_length=120, blank=True, help_text=_("Par exemple « 10 jours »")
    )

    class Meta:
        verbose_name = _("réglages de réponse d'un service")
        verbose_name_plural = _("réglages de réponse des services")

    def __str__(self) -> str:
        return str(self.team)


class Institution(TimestampedModel):
    """A partner body (« organisme partenaire ») people are guided to."""

    slug = models.SlugField(_("identifiant"), max_length=120, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    description = models.TextField(_("ce qu'il traite"), blank=True)
    keywords = models.CharField(_("mots-clés"), max_length=500, blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("thèmes"), blank=True)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    phone = models.CharField(_("téléphone (E.164)"), max_length=20, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    hours = models.CharField(_("horaires"), max_length=300, blank=True)
    redirect_text = models.TextField(
        _("texte d'orientation"),
        blank=True,
        help_text=_(
            "Variables : {organisme}, {telephone}, {site}, {adresse}, {horaires}, et celles des "
            "réponses types."
        ),
    )
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisme partenaire")
        verbose_name_plural = _("organismes partenaires")

    def __str__(self) -> str:
        return self.name


class Redirection(models.Model):
    """A conversation redirected to a partner body: the answer that told the person, and the
    forward by email when the person agreed to it."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="redirections"
    )
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_at = models.DateTimeField(_("accord de la personne le"), null=True, blank=True)
    forward_to = models.EmailField(_("transmise à"), blank=True)
    forward_sent_at = models.DateTimeField(_("transmise le"), null=True, blank=True)
    forward_error = models.TextField(_("échec de la transmission"), blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("orientation")
        verbose_name_plural = _("orientations")

    def __str__(self) -> str:
        return f"{self.conversation_id} → {self.institution}"


class EntryKind(models.TextChoices):
    ARTICLE = "article", _("Fiche")
    TEMPLATE = "template", _("Réponse type")
    INSTITUTION = "institution", _("Organisme partenaire")


class SearchEntry(models.Model):
    """One searchable item (article, template or partner body), denormalised for the search:
    its filters here, its words in the full-text index (``search_vector`` on PostgreSQL, the
    FTS5 table ``knowledge_fts`` on SQLite, rowid = this id)."""

    kind = models.CharField(max_length=16, choices=EntryKind.choices)
    object_id = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    keywords = models.CharField(max_length=1000, blank=True)
    body = models.TextField(blank=True)
    category = models.ForeignKey(Category, null=True, on_delete=models.SET_NULL, related_name="+")
    team = models.ForeignKey(Team, null=True, on_delete=models.SET_NULL, related_name="+")
    is_public = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    valid_from = models.DateField(null=True)
    valid_until = models.DateField(null=True)
    language = models.CharField(max_length=8, default="fr")
    search_vector = SearchVectorField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="searchentry_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"


class Term(models.Model):
    """A word of the titles and keywords (folded, not stemmed): the vocabulary typos are
    corrected against."""

    text = models.CharField(max_length=64, unique=True)
    initial = models.CharField(max_length=1)
    length = models.PositiveSmallIntegerField()

    class Meta:
        indexes = [models.Index(fields=["initial", "length"], name="term_initial_length")]

    def __str__(self) -> str:
        return self.text


class Choice(models.Model):
    """An agent used a suggestion or a search result on a conversation."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="choices")
    conversation = models.ForeignKey(
        Conversation, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.entry} @ {self.conversation_id}"


class ChoiceTerm(models.Model):
    """How often an entry was chosen for a message holding this stem: the learned boost."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="+")
    stem = models.CharField(max_length=64)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["stem", "entry"], name="choiceterm_unique")]

    def __str__(self) -> str:
        return f"{self.stem} → {self.entry_id} ×{self.count}"
