"""A small client for Meta's Graph API, shared by the Facebook, Instagram and WhatsApp connectors.

Every outbound call of those connectors goes through ``GraphClient``: the base address and version
come from settings (``CIVIQUE_GRAPH_API_URL``; tests point it at a local fake), the access token
goes in the ``Authorization`` header (never in a logged address), and every error the Graph API
documents becomes a ``TransportError`` with a French explanation for the agent, marked permanent
when a retry cannot succeed, and carrying the platform's wait when it limits our rate.

Error shape (Graph API, "Handling errors"): ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``; rate-limit usage in the ``X-Business-Use-Case-Usage`` and
``X-App-Usage`` headers.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

from civique.channels.connectors.base import TransportError

logger = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
# Rate limits: application (4), user (17), page (32), per-call (613), business use cases
# (80001-80014), WhatsApp throughput (130429) and per-pair (131056).
RATE_LIMIT_CODES = {4, 17, 32, 613, 130429, 131056, *range(80001, 80015)}
DEFAULT_RATE_LIMIT_WAIT = 300.0
MAX_DOWNLOAD_BYTES = 100 * 1024 * 1024


class GraphError(TransportError):
    """A Graph API error, with the platform's code and subcode for connectors that refine it."""

    def __init__(
        self,
        message: str,
        *,
        code: int = 0,
        subcode: int = 0,
        permanent: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, permanent=permanent, retry_after=retry_after)
        self.code = code
        self.subcode = subcode


@dataclass
class _Error:
    code: int
    subcode: int
    message: str


def _read_error(response: httpx.Response) -> _Error:
    try:
        error = response.json().get("error") or {}
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        error = {}

    def number(key: str) -> int:
        try:
            return int(error.get(key) or 0)
        except (TypeError, ValueError):
            return 0

    return _Error(number("code"), number("error_subcode"), str(error.get("message") or "")[:300])


def _regain_seconds(response: httpx.Response) -> float:
    """The platform's estimated wait, from ``X-Business-Use-Case-Usage`` (minutes), if given."""
    raw = response.headers.get("x-business-use-case-usage", "")
    try:
        usage = json.loads(raw) if raw else {}
    except ValueError:
        return DEFAULT_RATE_LIMIT_WAIT
    minutes = [
        item.get("estimated_time_to_regain_access", 0)
        for items in (usage.values() if isinstance(usage, dict) else [])
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict)
    ]
    best = max((m for m in minutes if isinstance(m, int | float)), default=0)
    return float(best * 60) if best else DEFAULT_RATE_LIMIT_WAIT


def explain(response: httpx.Response) -> GraphError:
    """The agent-facing error for a failed Graph API response."""
    error = _read_error(response)
    detail = f" (Meta : {error.message}, code {error.code}"
    detail += f"/{error.subcode})" if error.subcode else ")"
    code, subcode = error.code, error.subcode
    if code in (102, 190):
        text = _(
            "Le jeton d'accès de ce canal a expiré ou a été révoqué : générez-en un nouveau dans "
            "Meta Business et enregistrez-le (civique channel-secret)."
        )
        return GraphError(text + detail, code=code, subcode=subcode, permanent=True)
    if code in RATE_LIMIT_CODES:
        text = _("Meta limite le nombre d'envois : nouvel essai automatique plus tard.")
        return GraphError(
            text + detail, code=code, subcode=subcode, retry_after=_regain_seconds(response)
        )
    if (code == 10 and subcode == 2018278) or code == 131047:
        text = _(
            "Hors de la fenêtre de réponse de la plateforme : la personne n'a pas écrit depuis "
            "plus de 24 heures. Répondez par un autre canal, ou (WhatsApp) par un modèle approuvé."
        )
        return GraphError(text + detail, code=code, subcode=subcode, permanent=True)
    if code == 100 and subcode == 33:
        text = _("Ce message n'existe plus sur la plateforme (supprimé par son auteur ?).")
        return GraphError(text + detail, code=code, subcode=subcode, permanent=True)
    if code == 10900:
        text = _("Une réponse privée a déjà été envoyée pour ce commentaire (une seule permise).")
        return GraphError(text + detail, code=code, subcode=subcode, permanent=True)
    if code == 10 or 200 <= code <= 299:
        text = _("Meta refuse cette action : l'application n'a pas l'autorisation nécessaire.")
        return GraphError(text + detail, code=code, subcode=subcode, permanent=True)
    if code == 551:
        text = _("Cette personne ne peut pas recevoir de message pour le moment.")
        return GraphError(text + detail, code=code, subcode=subcode, permanent=True)
    temporary = response.status_code >= 500 or code in (1, 2, 131000)
    text = _("Meta a refusé la demande (HTTP %(status)s).") % {"status": response.status_code}
    return GraphError(text + detail, code=code, subcode=subcode, permanent=not temporary)


class GraphClient:
    """Calls to ``{CIVIQUE_GRAPH_API_URL}/{path}`` with one access token."""

    def __init__(self, token: str, base_url: str | None = None) -> None:
        if not token:
            raise TransportError(
                _("Aucun jeton d'accès n'est enregistré pour ce canal (civique channel-secret)."),
                permanent=True,
            )
        self.base_url = (base_url or settings.CIVIQUE_GRAPH_API_URL).rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}

    def _call(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path}"
        try:
            response = httpx.request(
                method, url, headers=self.headers, timeout=TIMEOUT, follow_redirects=True, **kwargs
            )
        except httpx.HTTPError as exc:
            raise TransportError(
                _("Meta injoignable : %(error)s") % {"error": type(exc).__name__}
            ) from None
        if response.status_code >= 400:
            error = explain(response)
            logger.warning("Graph API %s %s : %s", method, path.split("?")[0], error)
            raise error
        return response

    def request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """A call whose answer is a JSON object (``{}`` when the platform answers nothing)."""
        response = self._call(method, path, **kwargs)
        if not response.content:
            return {}
        try:
            data = response.json()
        except ValueError:
            raise TransportError(_("Réponse illisible de Meta.")) from None
        return data if isinstance(data, dict) else {"data": data}

    def get(self, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("GET", path, params=params)

    def post(self, path: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.request("POST", path, json=payload or {})

    def delete(self, path: str) -> dict[str, Any]:
        return self.request("DELETE", path)

    def download(self, url: str, limit: int = MAX_DOWNLOAD_BYTES) -> tuple[bytes, str]:
        """The bytes and content type at ``url`` (a media address the platform gave), refusing
        more than ``limit`` bytes."""
        try:
            with httpx.stream(
                "GET", url, headers=self.headers, timeout=TIMEOUT, follow_redirects=True
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise explain(response)
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        raise TransportError(
                            _("Fichier de plus de %(mb)s Mo : non téléchargé.")
                            % {"mb": limit // 1_048_576},
                            permanent=True,
                        )
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type", "")
        except httpx.HTTPError as exc:
            raise TransportError(
                _("Meta injoignable : %(error)s") % {"error": type(exc).__name__}
            ) from None
