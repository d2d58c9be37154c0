"""Drill use cases: the only code that changes drills. Each call is one transaction with
its audit entry and its event on the drill's timeline (and, once it runs, the drill
incident's)."""
