"""Comparisons: the rebuilt prior bounds evaluated (:mod:`.priors`), ratios and the crossover n*
(:mod:`.crossover`), sweeps over a parameter (:mod:`.sweep`) and their plots (:mod:`.plot`)."""
