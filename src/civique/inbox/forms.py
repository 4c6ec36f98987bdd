"""Forms of the agent back office: inbox filters and the actions of the conversation page."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civique.channels.connectors.base import OperationKind
from civique.channels.models import Channel
from civique.core.access import visible_teams
from civique.core.models import Team, User
from civique.inbox.access import SENSITIVE_PLACEHOLDER
from civique.inbox.models import (
    Category,
    Conversation,
    Direction,
    Message,
    MessageVisibility,
    Priority,
    Status,
    Visibility,
)
from civique.inbox.queries import InboxFilters

DEFAULT_STATUS = "active"
DEFAULT_SORT = "waiting"

STATUS_CHOICES = [
    ("active", _("À traiter")),
    *Status.choices,
    ("", _("Tous les statuts")),
]
SORT_CHOICES = [
    ("waiting", _("Attente la plus longue")),
    ("recent", _("Activité la plus récente")),
    ("oldest", _("Plus anciennes d'abord")),
    ("priority", _("Priorité la plus haute")),
    ("due", _("Échéance la plus proche")),
]
SLA_CHOICES = [
    ("", _("Tous les délais")),
    ("late", _("En retard ou bientôt")),
    ("breached", _("En retard")),
    ("at_risk", _("Bientôt en retard")),
    ("ok", _("Dans les délais")),
    ("paused", _("En pause (attente de l'usager)")),
    ("met", _("Engagements tenus")),
]


def agents_of(teams) -> list[User]:
    return list(
        User.objects.filter(is_active=True, teams__in=teams)
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Rechercher"),
        required=False,
        max_length=200,
        help_text=_("Mots de l'objet, des messages ou du nom de l'usager, ou référence (V-123)."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        choices=STATUS_CHOICES,
        required=False,
        help_text=_("« À traiter » : nouvelles, en cours et en attente de l'usager."),
    )
    channel = forms.ModelChoiceField(
        label=_("Canal"), queryset=Channel.objects.none(), required=False, empty_label=_("Tous")
    )
    team = forms.ModelChoiceField(
        label=_("Service"), queryset=Team.objects.none(), required=False, empty_label=_("Tous")
    )
    assignee = forms.ChoiceField(label=_("Attribuée à"), required=False)
    visibility = forms.ChoiceField(
        label=_("Visibilité"),
        choices=[("", _("Publiques et privées")), *Visibility.choices],
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Thème"), queryset=Category.objects.all(), required=False, empty_label=_("Tous")
    )
    sla_state = forms.ChoiceField(label=_("Délais"), choices=SLA_CHOICES, required=False)
    sort = forms.ChoiceField(label=_("Trier par"), choices=SORT_CHOICES, required=False)

    def __init__(self, user: User, data: QueryDict) -> None:
        data = data.copy()
        data.setdefault("status", DEFAULT_STATUS)
        data.setdefault("sort", DEFAULT_SORT)
        super().__init__(data)
        teams = visible_teams(user)
        self.fields["channel"].queryset = Channel.objects.filter(team__in=teams)
        self.fields["team"].queryset = teams
        self.fields["assignee"].choices = [
            ("", _("Tout le monde")),
            ("me", _("Moi")),
            ("none", _("Personne (non attribuées)")),
            *[(str(agent.pk), str(agent)) for agent in agents_of(teams)],
        ]

    def to_filters(self) -> InboxFilters:
        """The valid filters; an invalid value (a stale link, a hand-edited URL) is ignored."""
        self.is_valid()
        data = self.cleaned_data
        channel, team, category = data.get("channel"), data.get("team"), data.get("category")
        return InboxFilters(
            channel=channel.pk if channel else None,
            status=data.get("status", DEFAULT_STATUS),
            team=team.pk if team else None,
            assignee=data.get("assignee", ""),
            visibility=data.get("visibility", ""),
            category=category.pk if category else None,
            q=data.get("q", ""),
            sort=data.get("sort") or DEFAULT_SORT,
            sla_state=data.get("sla_state", ""),
        )


def recipient_name(conversation: Conversation) -> str:
    contact = conversation.contact
    return (contact.display_name if contact else "") or gettext("l'usager")


class ReplyForm(forms.Form):
    """The answer on the conversation's own channel. Its audience is told beside the text
    (and read with it by screen readers); a public answer must be confirmed as such."""

    text = forms.CharField(
        label=_("Votre réponse"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    then_status = forms.ChoiceField(
        label=_("Statut après réponse"),
        required=False,
        choices=[
            ("", _("Inchangé")),
            (Status.PENDING, Status.PENDING.label),
            (Status.RESOLVED, Status.RESOLVED.label),
            (Status.CLOSED, Status.CLOSED.label),
        ],
    )
    confirm_public = forms.BooleanField(
        label=_("Je confirme : cette réponse sera publique, visible de tous."),
        error_messages={
            "required": _("Cochez la case pour confirmer que la réponse sera publique.")
        },
    )

    def __init__(self, *args, conversation: Conversation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.public = conversation.visibility == Visibility.PUBLIC
        name = recipient_name(conversation)
        if self.public:
            self.audience = gettext("Réponse publique, visible de tous sous la publication")
            # Read with the field by screen readers (aria-describedby), the banner shown above.
            help_text = gettext(
                "Réponse publique : tout le monde la lira sous la publication, au nom du "
                "canal « %(channel)s »."
            )
        else:
            self.audience = gettext("Message privé à %(name)s") % {"name": name}
            help_text = gettext("Message privé à %(name)s : seule cette personne le lira.")
            del self.fields["confirm_public"]
        self.fields["text"].help_text = help_text % {
            "name": name,
            "channel": conversation.channel.name,
        }


class PrivateReplyForm(forms.Form):
    """Answer one public comment of the conversation in private (e.g. Facebook's private
    reply, which the platform delivers in Messenger)."""

    comment = forms.ModelChoiceField(
        label=_("Commentaire concerné"), queryset=Message.objects.none(), empty_label=None
    )
    text = forms.CharField(
        label=_("Votre message privé"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000
    )

    def __init__(self, *args, conversation: Conversation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        comments = private_reply_candidates(conversation)
        self.fields["comment"].queryset = comments
        self.fields["comment"].label_from_instance = _comment_choice
        name = recipient_name(conversation)
        self.audience = gettext("Message privé à %(name)s") % {"name": name}
        self.fields["text"].help_text = gettext(
            "Message privé à %(name)s, visible de cette seule personne. La plateforme n'en "
            "permet qu'un par commentaire, dans les 7 jours qui suivent sa publication."
        ) % {"name": name}


def private_reply_candidates(conversation: Conversation):
    """The conversation's public comments that can still be answered in private."""
    return (
        conversation.messages.filter(
            direction=Direction.INBOUND,
            visibility=MessageVisibility.PUBLIC,
            removed_at__isnull=True,
            channel=conversation.channel,
        )
        .exclude(external_id__isnull=True)
        .exclude(external_id="")
        .order_by("-created_at", "-id")
    )


def _comment_choice(message: Message) -> str:
    when = date_format(localtime(message.when), "SHORT_DATETIME_FORMAT")
    if (message.meta or {}).get("sensitive"):  # health data: not in a list anyone reads
        return f"{when} — {gettext(SENSITIVE_PLACEHOLDER)}"
    return f"{when} — {Truncator(message.text).chars(60)}"


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note interne"),
        help_text=_("Visible des seuls agents ; jamais envoyée à l'usager."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
    )


class ModerationForm(forms.Form):
    """Hide, show again or delete one message of the conversation on its platform."""

    message = forms.ModelChoiceField(label=_("Message"), queryset=Message.objects.none())
    operation = forms.ChoiceField(
        label=_("Opération"),
        choices=[
            (OperationKind.HIDE, _("Masquer")),
            (OperationKind.UNHIDE, _("Réafficher")),
            (OperationKind.DELETE, _("Supprimer")),
        ],
    )

    def __init__(self, *args, conversation: Conversation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["message"].queryset = conversation.messages.all()


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Attribuer à"))

    def __init__(self, *args, conversation: Conversation, managing: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("me", _("Moi")), ("none", _("Personne"))]
        if managing and conversation.team_id:
            choices += [(str(u.pk), str(u)) for u in agents_of([conversation.team_id])]
        self.fields["assignee"].choices = choices
        self.fields["assignee"].initial = (
            str(conversation.assignee_id) if conversation.assignee_id else "none"
        )

    def chosen_user(self, user: User) -> User | None:
        value = self.cleaned_data["assignee"]
        if value == "me":
            return user
        if value == "none":
            return None
        return User.objects.get(pk=int(value))


class TransferForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Transférer au service"),
        queryset=Team.objects.all(),
        empty_label=_("Choisir un service"),
    )

    def __init__(self, *args, conversation: Conversation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.exclude(pk=conversation.team_id)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Statut"), choices=Status.choices)


class CategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Thème"),
        queryset=Category.objects.all(),
        required=False,
        empty_label=_("Aucun thème"),
    )


class PriorityForm(forms.Form):
    priority = forms.TypedChoiceField(label=_("Priorité"), choices=Priority.choices, coerce=int)
