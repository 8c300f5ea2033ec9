"""Evaluation backends: each walks a derived SymPy expression in one number system.

- :mod:`numeric.backends.mp`: mpmath at a requested precision (a tree evaluator with quadrature,
  independent of ``lambdify``);
- :mod:`numeric.backends.arb`: Arb ball arithmetic (python-flint), rigorous enclosures;
- :mod:`numeric.backends.float64`: numpy float64 over arrays (grids and sweeps).

A new evaluator goes here, as one module that takes the same derived expression.
"""
