"""Database backends of yingji's own (see sqlite3/base.py)."""
