"""Pages of the commitments (the dashboard moved to ``civique.reporting``)."""

from __future__ import annotations
