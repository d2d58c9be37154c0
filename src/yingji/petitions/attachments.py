"""What may be attached to a petition: types by their content, not their name. No Django."""

from __future__ import annotations

from dataclasses import dataclass

SCAN, PHOTO, AUDIO, DOCUMENT = "scan", "photo", "audio", "document"


@dataclass(frozen=True)
class FileType:
    kind: str
    content_type: str
    extensions: tuple[str, ...]


# Magic bytes at the start of each accepted format.
SIGNATURES: list[tuple[bytes, int, FileType]] = [
    (b"%PDF-", 0, FileType(SCAN, "application/pdf", (".pdf",))),
    (b"\xff\xd8\xff", 0, FileType(PHOTO, "image/jpeg", (".jpg", ".jpeg"))),
    (b"\x89PNG\r\n\x1a\n", 0, FileType(PHOTO, "image/png", (".png",))),
    (b"ID3", 0, FileType(AUDIO, "audio/mpeg", (".mp3",))),
    (b"\xff\xfb", 0, FileType(AUDIO, "audio/mpeg", (".mp3",))),
    (b"#!AMR", 0, FileType(AUDIO, "audio/amr", (".amr",))),
    (b"ftyp", 4, FileType(AUDIO, "audio/mp4", (".m4a",))),
    (b"WAVE", 8, FileType(AUDIO, "audio/wav", (".wav",))),
    (
        b"PK\x03\x04",
        0,
        FileType(
            DOCUMENT,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            (".docx",),
        ),
    ),
]


def identify(name: str, head: bytes) -> FileType | None:
    """The accepted type whose signature ``head`` carries and whose extension ``name`` has."""
    lower = name.lower()
    for signature, offset, file_type in SIGNATURES:
        if head[offset : offset + len(signature)] == signature and lower.endswith(
            file_type.extensions
        ):
            return file_type
    return None
