"""Backup archives: ``yingji backup`` writes one, ``yingji restore`` reads one back.

An archive is a gzip-compressed tar holding, in this order:

- ``database/yingji.sqlite3`` (a copy made with SQLite's backup API) or
  ``database/yingji.pgdump`` (``pg_dump --format=custom``), consistent at one instant
  while the server keeps writing;
- ``media/…``: the uploads and generated documents under ``MEDIA_ROOT``, as stored
  (attachments and personal documents stay encrypted with the data key);
- ``keys.enc``, only when asked for: the data key and the secret key, encrypted with a
  passphrase;
- ``manifest.json`` last, because it holds the SHA-256 of every member before it: the
  yingji version, the kind of database, when the copy was taken (UTC) and the row count
  of every table at that instant.

``archive`` reads and writes the tar, ``database`` copies databases in and out,
``keys`` seals the keys, ``operations`` puts them together for the two commands.
"""
