"""The ``yingji`` command: Django's management commands under the project's name.

``yingji serve``, ``yingji demo``, ``yingji token create NAME``, ``yingji audit verify``
and every stock command (``yingji migrate`` …) go through here.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yingji", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
