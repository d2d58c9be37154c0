"""Whether the data key opens the personal data already stored, asked before start-up.

A database restored without its key, or a lost ``var/data_key`` that was quietly made
anew, used to start normally: every reveal and attachment then answered 500, and new
data went in under the new key, leaving the database with two. The system check below
makes ``yingji serve``, ``yingji worker`` and the other commands refuse instead, naming
the variable and the file. ``migrate`` is left alone (an archive from an older version
is migrated before its data is read), and so are ``backup`` and ``restore``, which skip
the system checks.
"""

from __future__ import annotations

import os
from functools import reduce
from operator import or_
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.db import DatabaseError, connection, models


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Each model with ciphertext columns (``*_enc``, written by ``crypto.encrypt``)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if f.attname.endswith("_enc")]
        if names:
            found.append((model, names))
    return found


def unreadable(key: str) -> str | None:
    """The first ``table.column`` holding a value ``key`` cannot decrypt, or None.

    Samples the oldest and the newest row of each table with ciphertext: data written
    after a start with a wrong key would open with that key while the older rows would
    not. Two indexed reads per table, so it costs the same at a million petitions.
    """
    # crypto.encrypt is Fernet under the data key; this opens with a key given here,
    # so that restore can try the key it is about to put in place.
    fernet = Fernet(key.encode("ascii"))
    for model, names in encrypted_columns():
        filled = model._default_manager.filter(reduce(or_, (~models.Q(**{n: ""}) for n in names)))
        for order in ("pk", "-pk"):
            row = filled.order_by(order).values_list(*names).first()
            for name, value in zip(names, row or (), strict=False):
                if not value:
                    continue
                try:
                    fernet.decrypt(value.encode("ascii"))
                except (InvalidToken, UnicodeEncodeError):
                    return f"{model._meta.db_table}.{name}"
    return None


def key_source() -> str:
    """Where the data key in use came from, in words for the operator."""
    if "YINGJI_DATA_KEY" in os.environ:
        return "is the one set in the environment (YINGJI_DATA_KEY)"
    return f"was read from {key_file()}"


def key_file() -> Path:
    return Path(settings.VAR_DIR) / "data_key"


def data_key_check(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """A system check: an error when the data key cannot decrypt the stored data."""
    if databases is not None:
        # migrate passes the databases it is about to change (so does
        # `check --database`): the schema may still be behind the models there.
        return []
    if connection.vendor == "sqlite" and not Path(connection.settings_dict["NAME"]).exists():
        return []  # nothing stored yet, and asking would create the file
    try:
        where = unreadable(settings.DATA_KEY)
    except DatabaseError:
        # No tables yet, or no database server: migrate and the commands say so.
        return []
    if where is None:
        return []
    return [
        Error(
            f"YINGJI_DATA_KEY does not decrypt the personal data already in the database "
            f"({where}). The key in use {key_source()}.",
            hint=(
                f"Give yingji the data key of the server this data came from: put it in "
                f"{key_file()} (mode 600) or set YINGJI_DATA_KEY, or restore it with "
                f"`yingji restore ARCHIVE --with-keys`. yingji does not start with a key "
                f"that cannot read its data: new data would go in under a second key."
            ),
            id="yingji.E001",
        )
    ]
