"""The ``rankbound`` command line: :mod:`.main` builds the parser; one module per command.

``python -m numeric.cli`` runs it like the ``rankbound`` console script.
"""
