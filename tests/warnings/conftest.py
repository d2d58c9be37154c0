"""The township of the incidents' tests (its petition plan in force with a warning-phase
step, its people and duty roster), for the warnings' tests. Each part's own fixtures live
in its test files."""

from __future__ import annotations

from tests.incidents.conftest import Township, township  # noqa: F401 - the fixture

__all__ = ["Township"]
