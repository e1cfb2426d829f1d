"""Pure-Python core of Nastavnik.

Nothing under this package imports Django or any other part of ``nastavnik``:
formulas, parsers, detectors and statistics work on the plain dataclasses of
:mod:`nastavnik.engine.types`, so batch jobs and data pipelines can use them
without a database. The rule is checked by an import-linter contract.
"""
