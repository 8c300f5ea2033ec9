"""A second proof through rankbound's public API: the generalisation bound of a two-layer network.

Class: f(x) = v^T sigma(W x), W in R^{m x d} with ||W||_F <= B_W, v in R^m with ||v||_2 <= B_v, inputs
||x||_2 <= B_x, sigma L_sigma-Lipschitz with sigma(0) = 0.  The chain is the standard parametric one
(a perturbation lemma, product of internal nets of the parameter blocks, Dudley's entropy integral,
contraction, the Rademacher generalisation theorem; e.g. T. Zhang, Mathematical Analysis of Machine
Learning Algorithms, 2023, ch. 5 for covers of Lipschitz-parametrised classes, and Mohri et al. 2018,
Thm 3.3).  It is *not* Truong's chain: no attention, no ranks, two blocks.

docs/tutorial.md walks through this file.  Run it:

    python examples/two_layer.py            # the chain, its obligations, claims, value, LaTeX, a refusal
    python examples/two_layer.py --json     # the same as one JSON object (the tests read it)
"""

from __future__ import annotations

import json
import sys

import sympy
from sympy import Rational, symbols

import derive
import lemmas
import numeric
from derive import Derivation, DerivationError
from derive.claims import rate_in_n, sqrt_growth
from derive.steps import close_entropy_integral, confidence_part, parameter_cover
from lemmas import Hypothesis, Lemma, Source
from lemmas.objects import (NORMS, Distance, FunctionClass, GeneralisationGap, LipschitzInParameters, LossClass,
                            OutputBound, ParameterSet, RademacherComplexity, SupNorm, Tag, log_covering)
from lemmas.covering import euclidean_ball
from lemmas.symbols import L_loss, L_sigma, c, delta, eps, n

# -- 1. symbols, with the assumptions SymPy reasons with ---------------------------------------------------
m, d = symbols("m d", positive=True, integer=True)          # width and input dimension
B_x, B_W, B_v = symbols("B_x B_W B_v", positive=True)       # radii
B_f = L_sigma * B_v * B_W * B_x                              # the output bound, proved below

# -- 2. the class and its parameter sets --------------------------------------------------------------------
CLASS = FunctionClass(Tag("TwoLayer"), m, d, B_x, B_W, B_v, L_sigma)
V_SET = euclidean_ball(m, B_v)                               # {v in R^m: ||v||_2 <= B_v}


def frobenius_ball(rows, cols, radius):
    """{W in R^{rows x cols}: ||W||_F <= radius}: a parameter-set kind of our own."""
    return ParameterSet(Tag("frobball"), rows, cols, radius)


W_SET = frobenius_ball(m, d, B_W)
SETTING = (Hypothesis("sigma-lipschitz", "sigma is L_sigma-Lipschitz with sigma(0) = 0"),
           Hypothesis("inputs-bounded", "every input has ||x||_2 <= B_x"))

# -- 3. the lemmas of this proof, as values ------------------------------------------------------------------
OUTPUT_BOUND = Lemma(
    name="two-layer-output-bound",
    title="|v^T sigma(W x)| <= L_sigma B_v B_W B_x on the class",
    params=(m, d, B_x, B_W, B_v, L_sigma),
    hypotheses=SETTING,
    conclusion=sympy.Le(SupNorm(CLASS), B_f),
    provides=(OutputBound(CLASS, B_f),),                      # read off the conclusion by the checker
    source=Source("Cauchy-Schwarz", kind="derived", derivation=(
        "|v^T sigma(Wx)| <= ||v||_2 ||sigma(Wx)||_2 <= B_v L_sigma ||Wx||_2 <= B_v L_sigma ||W||_2 ||x||_2 "
        "<= B_v L_sigma B_W B_x (||W||_2 <= ||W||_F)")),
    family="tutorial",
    example={L_sigma: 1, B_v: 2, B_W: 3, B_x: Rational(1, 2)},
)

dv, dW, df = Distance(Tag("v"), Tag("l2")), Distance(Tag("W"), Tag("spec")), Distance(Tag("f"), Tag("abs"))
PERTURBATION = Lemma(
    name="two-layer-perturbation",
    title="|f_theta(x) - f_theta'(x)| <= L_sigma B_W B_x ||v - v'||_2 + L_sigma B_v B_x ||W - W'||_2",
    params=(m, d, B_x, B_W, B_v, L_sigma),
    hypotheses=SETTING + (Hypothesis("both-in-class", "theta and theta' both lie in the class"),),
    conclusion=sympy.Le(df, L_sigma * B_W * B_x * dv + L_sigma * B_v * B_x * dW),
    provides=(LipschitzInParameters(CLASS, V_SET, NORMS["fro"], L_sigma * B_W * B_x,
                                    W_SET, NORMS["spec"], L_sigma * B_v * B_x),),
    source=Source("triangle inequality", kind="derived", derivation=(
        "v^T s - v'^T s' = (v - v')^T s + v'^T (s - s') with s = sigma(Wx): |(v - v')^T s| <= ||v - v'|| L_sigma "
        "B_W B_x and |v'^T (s - s')| <= B_v L_sigma ||(W - W') x|| <= B_v L_sigma B_x ||W - W'||_2")),
    family="tutorial",
    example={L_sigma: 1, B_v: 1, B_W: 1, B_x: 1, dv: Rational(1, 10), dW: Rational(1, 10)},
)

rows, cols = symbols("rows cols", positive=True, integer=True)
R = symbols("R", positive=True)
VECTORISE = Lemma(
    name="frobenius-ball-is-euclidean",
    title="covering the Frobenius ball of rows x cols matrices = covering the Euclidean ball in R^{rows cols}",
    params=(rows, cols, R, eps),
    hypotheses=(),
    conclusion=sympy.Eq(log_covering(frobenius_ball(rows, cols, R), eps, "fro"),
                        log_covering(euclidean_ball(rows * cols, R), eps, "fro")),
    source=Source("vec is an isometry from (R^{rows x cols}, ||.||_F) onto (R^{rows cols}, ||.||_2)", kind="derived",
                  derivation="vec maps the Frobenius ball onto the Euclidean ball and nets onto nets"),
    family="tutorial",
    example={sympy.exp(log_covering(euclidean_ball(rows * cols, R), eps, "fro")): 10},
)

TUTORIAL_LEMMAS = (OUTPUT_BOUND, PERTURBATION, VECTORISE)


def compose():
    """The covering number and the bound, composed lemma by lemma (every hypothesis checked)."""
    # the covering number of the class
    cov = Derivation("two-layer-covering", log_covering(CLASS, eps, "sup"))
    cov.establish(PERTURBATION)                       # records its Lipschitz fact
    v_cover, w_cover = parameter_cover(cov, CLASS, eps)   # the product-net lemma with 2 blocks
    w_eps = w_cover.args[1]
    cov.apply("cover-spec-by-fro", S=W_SET, epsilon=w_eps)
    cov.apply(VECTORISE, rows=m, cols=d, R=B_W, epsilon=w_eps)
    cov.apply("volumetric-net", k=m * d, R=B_W, epsilon=w_eps)
    cov.apply("volumetric-net", k=m, R=B_v, epsilon=v_cover.args[1])
    terms = [cov.steps[-1].instance.conclusion.rhs, cov.steps[-2].instance.conclusion.rhs]
    cov_lemma = cov.as_lemma("two-layer-covering", title="log N_inf(F, eps) for the two-layer class",
                             family="tutorial", register=False)
    # the bound
    main = Derivation("two-layer-theorem", GeneralisationGap(CLASS, n), title="two-layer generalisation bound")
    main.apply("rademacher-generalisation", F=CLASS, n=n, c=c, delta=delta)
    confidence = confidence_part(main.steps[-1])
    main.apply("contraction", F=CLASS, n=n, L_loss=L_loss)
    main.establish(OUTPUT_BOUND)                      # discharges Dudley's output-bounded hypothesis
    main.apply("dudley", F=CLASS, n=n, alpha=0, b=B_f)
    main.apply("cover-L2S-by-sup", F=CLASS, epsilon=eps)
    main.apply(cov_lemma)
    blocks = close_entropy_integral(main, terms, eps)
    theorem = main.as_lemma("two-layer-theorem", title="w.p. >= 1 - delta: L(f) <= L_S(f) + bound",
                            family="tutorial", register=False)
    return cov, main, theorem, blocks, confidence


def wrong_steps() -> list:
    """Three steps a referee would reject, and the checker's words for each."""
    out = []
    cov = Derivation("wrong", log_covering(euclidean_ball(m, -B_v), eps, "fro"))
    try:                                            # a radius that is not positive
        cov.apply("volumetric-net", k=m, R=-B_v, epsilon=eps)
    except DerivationError as exc:
        out.append(("a negative radius", str(exc)))
    try:                                            # a lowered proof constant
        Derivation("wrong", log_covering(euclidean_ball(m, B_v), eps, "fro")).apply(
            "volumetric-net", constants={"c_vol": 2}, k=m, R=B_v, epsilon=eps)
    except DerivationError as exc:
        out.append(("c_vol = 2 (the net lemma is proved for 3)", str(exc)))
    try:                                            # an upper bound where the bound decreases
        R_loss = RademacherComplexity(LossClass(CLASS), n)
        Derivation("wrong", 1 / (1 + R_loss)).apply("contraction", F=CLASS, n=n, L_loss=L_loss)
    except DerivationError as exc:
        out.append(("an upper bound on R_S substituted into 1/(1 + R_S)", str(exc)))
    return out


PRESET = {n: 10**6, m: 256, d: 784, B_x: 1, B_W: 1, B_v: 1, L_sigma: 1, L_loss: 1, c: 1, delta: Rational(1, 20)}


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    cov, chain, theorem, blocks, confidence = compose()
    bound = chain.rhs
    claims = [rate_in_n(bound), sqrt_growth(bound, m, "growth-m")]
    value = numeric.evaluate_expr(bound, PRESET, dps=30)
    cert = numeric.certify(bound, PRESET, dps=30)
    lo, hi = cert.interval_strings()
    latex = derive.latex.derivation_latex(chain)
    refusals = wrong_steps()
    if "--json" in argv:
        print(json.dumps({
            "bound": sympy.srepr(bound),
            "value": str(value), "interval": [lo, hi], "certified": cert.certified,
            "failure_probability": sympy.sstr(theorem.failure),
            "obligations": [str(o) for o in chain.obligations],
            "claims": {cl.key: cl.verdict for cl in claims},
            "blocks": [{"D": sympy.sstr(b.D), "C": sympy.sstr(b.C)} for b in blocks],
            "confidence": sympy.srepr(confidence),
            "latex": latex,
            "refusals": [{"step": s, "message": msg} for s, msg in refusals],
        }, indent=2))
        return 0
    print(cov.describe(), "\n")
    print(chain.describe(), "\n")
    print("with probability at least 1 -", theorem.failure, ": L(f) <= L_S(f) +", sympy.sstr(bound), "\n")
    print("open obligations (the assumptions of the theorem):")
    for o in chain.obligations:
        print("  -", o)
    print("\nclaims:")
    for cl in claims:
        print(f"  [{cl.verdict}] {cl.statement}: {cl.evidence}")
    print(f"\nat n = 10^6, m = 256, d = 784 (radii 1): {value}   Arb enclosure [{lo}, {hi}]")
    print("\nLaTeX of the chain:\n" + latex)
    print("\nwhat the checker refuses:")
    for what, msg in refusals:
        print(f"  {what}:\n    {msg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
