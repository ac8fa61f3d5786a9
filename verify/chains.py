r"""Evidence for the conclusion of a quoted chain, from the chain itself.

A claim with ``link = "conclusion"`` judges ``first op last`` of an aligned chain. When the
provers can neither prove nor refute that statement directly (the convexity of ``e^x`` is beyond
them), the slide's own argument is used: every link of the quoted chain is judged under the
claim's hypotheses, each link also under the condition the slide writes beside it
(``(\text{if } x > y)``). Then

* if a link's condition does not follow from the hypotheses (a point where the hypotheses hold
  and the condition fails is found and confirmed exactly), the chain does not support the
  conclusion there: ``unsupported``, with that point (a missing hypothesis exhibited);
* if every link is proved, the chain's conclusion ``C`` holds under the hypotheses (transitivity),
  and the statement is judged under the hypotheses plus ``C``: the statement is ``C`` itself, or a
  perturbation of it that must follow from ``C`` (or be refuted).

Anything else (a link refuted or undecided) gives no evidence (``None``), and the caller's error
stands.
"""

from __future__ import annotations

from verify import strategies
from verify import terms as t
from verify.instances import Undecided
from verify.parse import link_text, parse
from verify.rule import Evidence

__all__ = ["conclusion_evidence"]


def _conclusion(chain: t.Chain) -> str:
    from verify.lecture import _statement  # the loader's own reading of a conclusion

    return _statement(chain.source, "conclusion")


def conclusion_evidence(claim, hypotheses, statement: str) -> Evidence | None:
    """Evidence for ``statement`` from the chain ``claim`` quotes (see the module docstring)."""
    source = getattr(claim, "source", None)
    if source is None or source.link != "conclusion":
        return None
    chain = parse(source.quote)
    if not isinstance(chain, t.Chain) or len(chain.ops) < 2:
        return None
    methods = []
    for k, cond in enumerate(chain.conds, start=1):
        text = link_text(chain, k)
        hyps = tuple(hypotheses)
        if cond is not None:
            cond_text = t.latex(cond)
            try:
                implied = strategies.evidence(strategies.problem(
                    claim.symbols, claim.definitions, hyps, cond_text))
            except Undecided:
                return None
            if implied.status != "proved":
                return Evidence(
                    "unsupported", f"link {k} is stated only if ${cond_text}$",
                    counterexample=f"link {k} ({text}) is stated only if {cond_text}, which "
                    f"the hypotheses allow to fail: {implied.counterexample}")
            hyps = (*hyps, cond_text)
        try:
            ev = strategies.evidence(strategies.problem(claim.symbols, claim.definitions, hyps,
                                                        text))
        except Undecided:
            return None
        if ev.status != "proved":
            return None
        methods.append(f"link {k}: {ev.method}")
    conclusion = _conclusion(chain)
    if parse(statement) == parse(conclusion):
        return Evidence("proved", "the chain's links, by transitivity: " + "; ".join(methods))
    ev = strategies.evidence(strategies.problem(claim.symbols, claim.definitions,
                                                (*hypotheses, conclusion), statement))
    if ev.status == "proved":
        return Evidence("proved", f"from the chain's conclusion {conclusion} ({len(methods)} "
                        f"links proved): {ev.method}")
    return ev
