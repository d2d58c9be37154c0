#!/usr/bin/env python
"""Django's manage.py, kept for habit; the ``yingji`` command does the same."""

from yingji.cli import main

if __name__ == "__main__":
    main()
