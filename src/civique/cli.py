"""The ``civique`` console script: Django's manage.py with Civique's settings."""

from __future__ import annotations

import os
import sys

ALIASES = {"channel-secret": "channel_secret"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civique.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    # Commands are documented with hyphens; Django names them after their module.
    if len(argv) > 1 and argv[1] in ALIASES:
        argv[1] = ALIASES[argv[1]]
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
