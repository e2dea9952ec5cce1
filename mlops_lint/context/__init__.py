"""Typed, lazily built views of the repository that rules read; no rule knowledge lives here."""
