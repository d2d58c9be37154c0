"""What the readers of each format (``extract``, ``docx_text``, ``word_binary``,
``pdf_text``) share: the text they return, the refusals they raise, and the running of a
converter in a child process under a time limit."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    """A document's text and, in Chinese for the user, the parts of it not read."""

    text: str
    problems: tuple[str, ...] = ()


def refuse(message: str) -> ValidationError:
    return ValidationError({"file": [message]})


def too_long(limit: int) -> ValidationError:
    return refuse(
        _(
            "The file holds more than %(limit)s characters of text, more than any plan. "
            "Split it into smaller files."
        )
        % {"limit": f"{limit:,}"}
    )


def password_word() -> ValidationError:
    return refuse(
        _(
            "This Word file is protected by a password. Remove the password in Word or WPS, "
            "save the file and import it again."
        )
    )


def not_word() -> ValidationError:
    return refuse(_("The Word file could not be opened; save it again as .docx."))


def run(
    arguments: list[str],
    *,
    cwd: str | None = None,
    stdin: bytes | None = None,
    env: dict[str, str] | None = None,
    timeout: float,
) -> subprocess.CompletedProcess[bytes] | None:
    """Run a converter for at most ``timeout`` seconds, ``stdin`` sent to it; None when it took too
    long (it and whatever it started are killed: LibreOffice runs its work in a child of
    the launcher)."""
    process = subprocess.Popen(  # noqa: S603 - fixed program, arguments as a list
        arguments,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        logger.warning("%s took more than %d s; killed", arguments[0], timeout)
        _kill_group(process)
        return None
    finally:
        if process.poll() is None:
            _kill_group(process)
    return subprocess.CompletedProcess(arguments, process.returncode, stdout, stderr)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()
