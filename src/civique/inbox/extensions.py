"""Places on the back office's pages that higher apps fill in, without the inbox importing
them: an app registers a panel of the conversation page, or a link of the main navigation,
from its ``AppConfig.ready()`` (the knowledge base's suggestions do). The inbox only renders
what is registered; with nothing registered its pages are unchanged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from civique.inbox.models import Conversation

PanelContext = Callable[[HttpRequest, Conversation], dict[str, Any] | None]


@dataclass(frozen=True)
class Panel:
    template: str
    context: PanelContext


@dataclass(frozen=True)
class NavLink:
    label: str
    url_name: str
    app_name: str


_panels: dict[str, Panel] = {}
_nav: dict[str, NavLink] = {}


def register_panel(name: str, template: str, context: PanelContext) -> None:
    """Show ``template`` on the conversation page, above the reply box, with ``panel`` set to
    ``context(request, conversation)`` (a panel whose context is None is not shown)."""
    _panels[name] = Panel(template, context)


def register_nav(name: str, label: str, url_name: str, app_name: str) -> None:
    _nav[name] = NavLink(label, url_name, app_name)


def panels_for(request: HttpRequest, conversation: Conversation) -> list[dict[str, Any]]:
    shown = []
    for panel in _panels.values():
        context = panel.context(request, conversation)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown


def nav_links() -> list[NavLink]:
    return list(_nav.values())
