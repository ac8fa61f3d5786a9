"""Markdown rendering of the report from its JSON-shaped record (``verification.json``).

The renderer is a pure function of the record, so the Markdown can be regenerated from the
committed JSON alone. Mathematics is written for GitHub: ``$...$`` inline and ``$$ ... $$``
display blocks on their own lines; tables carry no LaTeX, so no ``|`` needs escaping there.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

VERDICT_LABEL = {
    "true": "✅ true",
    "false": "❌ false as written",
    "gap": "⚠️ true with a gap",
    "error": "💥 the check raised an error",
}

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")
_MATH_SPAN = re.compile(r"(\$\$.+?\$\$|\$[^$]+\$)", re.DOTALL)


def text(s: str) -> str:
    """Escape Markdown in plain text, leaving ``$...$`` math spans untouched."""
    parts = _MATH_SPAN.split(s)
    return "".join(p if i % 2 else _MD_SPECIAL.sub(r"\\\1", p) for i, p in enumerate(parts))


def prose(s: str) -> str:
    """Plain text that may carry LaTeX: ``$...$`` spans are kept; undelimited LaTeX is shown as
    code (readable, and never mangled by Markdown's escapes)."""
    if "$" not in s and re.search(r"\\[A-Za-z]|_\{|\^\{", s):
        return "`" + s.replace("`", "'") + "`"
    return text(s)


def display_math(tex: str) -> str:
    """A display block for a LaTeX statement, whatever delimiters it came with.

    A statement already written as prose with inline ``$...$`` is kept as a paragraph; a bare
    formula (or one wrapped in ``$$``) becomes a ``$$`` block on its own lines. Blank lines are
    removed because they end a display block on GitHub.
    """
    s = tex.strip()
    if s.startswith("$$") and s.endswith("$$") and s.count("$$") == 2:
        s = s[2:-2].strip()
    elif "$" in s:
        return text(s)
    body = "\n".join(line for line in s.splitlines() if line.strip())
    return f"$$\n{body}\n$$"


def anchor(heading: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading (lower case, punctuation dropped, repeats numbered)."""
    slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
    n = seen.get(slug, 0)
    seen[slug] = n + 1
    return slug if n == 0 else f"{slug}-{n}"


def _fmt(x, digits: int = 4) -> str:
    if x is None:
        return "—"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}g}"


def claim_anchor(cid: str) -> str:
    """The HTML anchor placed before a claim's block."""
    return "claim-" + re.sub(r"[^\w\-]", "-", cid)


def claim_links(ids: Sequence[str], known: set[str]) -> str:
    """Links to the claims a run tests (ids missing from the report are shown unlinked)."""
    return ", ".join(f"[`{i}`](#{claim_anchor(i)})" if i in known else f"`{i}`" for i in ids)


def _tex_number(x: float) -> str:
    """``1e-09`` as ``10^{-9}``; other numbers in ``g`` format."""
    mantissa, _, exponent = f"{x:.3g}".partition("e")
    if not exponent:
        return mantissa
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa == "1" else f"{mantissa}\\cdot {power}"


def _slides(claims: Sequence[Mapping]) -> list[tuple[str, list[Mapping]]]:
    """Consecutive claims grouped by slide heading, in lecture order."""
    groups: list[tuple[str, list[Mapping]]] = []
    for c in claims:
        if groups and groups[-1][0] == c["slide"]:
            groups[-1][1].append(c)
        else:
            groups.append((c["slide"], [c]))
    return groups


def _against_exact(runs: Sequence[Mapping]) -> str:
    """How many runs were checked against exact theory, and their largest mde."""
    exact = [s for s in runs if s.get("check") == "exact" and s.get("mde") is not None]
    if not exact:
        return ""
    undecided = sum(s.get("verdict") == "inconclusive" for s in runs)
    return (f" ({len(exact)} against exact theory, largest mde "
            f"{max(s['mde'] for s in exact):.2%}"
            + (f"; {undecided} inconclusive" if undecided else "") + ")")


def summary(report: Mapping) -> list[str]:
    claims, sims, meta = report["claims"], report["simulations"], report["meta"]
    counts = {v: sum(c["verdict"] == v for c in claims) for v in VERDICT_LABEL}
    gd = report.get("gd_rate", [])
    mismatched = [c for c in claims if c.get("recorded") not in (None, c["verdict"])]
    confirm = [s for s in sims if s["expected"] == "pass"]
    violate = [s for s in sims if s["expected"] == "violate"]
    lines = [
        "## Summary",
        "",
        f"- **{len(claims)} steps checked:** {counts['true']} true, "
        + (f"{counts['error']} could not be decided (the check raised), " if counts["error"]
           else "")
        + f"{counts['false']} false as written (each with an exact counterexample and a proved "
        f"correction), {counts['gap']} true with a gap (each with what is missing and a proved "
        "repair).",
        "- **Recorded verdicts:** "
        + ("every computed verdict matches its record." if not mismatched else
           "computed verdict differs from the record for "
           + ", ".join(f"`{c['id']}`" for c in mismatched) + "."),
        f"- **Monte Carlo:** {sum(s['expectation_met'] for s in confirm)} of {len(confirm)} "
        "confirmations of the bound passed"
        + _against_exact(confirm) + "; "
        f"{sum(s['expectation_met'] for s in violate)} of {len(violate)} runs outside the "
        "step-size condition violated it, as expected; "
        f"{sum(g['passed'] for g in gd)} of {len(gd)} gradient-descent paths within the "
        "linear rate.",
        f"- **Run:** {meta['mode']} report, backend `{meta['backend']}`, engine(s) "
        f"{', '.join(f'`{e}`' for e in meta['engines'])}, seed {meta['seed']}. Running "
        "the same command again (same seed, backend, engine and library versions) writes this "
        "report byte for byte; the timings, machine and library versions of the run are in "
        "`run-info.json` beside it (not part of the report).",
        "",
    ]
    return lines


def claims_section(claims: Sequence[Mapping]) -> list[str]:
    lines = ["## Slide by slide", ""]
    seen: dict[str, int] = {}
    groups = _slides(claims)
    body: list[str] = []
    toc: list[str] = []
    for slide, members in groups:
        toc.append(f"- [{text(slide)}](#{anchor(slide, seen)}) — "
                   + ", ".join(VERDICT_LABEL[c["verdict"]].split()[0] for c in members))
        body += [f"### {text(slide)}", ""]
        for c in members:
            body += claim_block(c)
    toc.append("- [Monte Carlo evidence for the SGD bound]"
               "(#monte-carlo-evidence-for-the-sgd-bound)")
    return lines + toc + [""] + body


def coverage_section(rows: Sequence[Mapping]) -> list[str]:
    """Every formula of the lecture and what judges it (see :mod:`verify.coverage`)."""
    from verify.coverage import markdown as coverage_table

    return ["## Coverage of the lecture's formulas", "",
            "Every display and inline formula of the lecture, with the claims that judge it "
            "(by quoting it or a link of it), the claims that use it as a definition or "
            "hypothesis, or why it is not judged on its own.", "",
            *coverage_table(rows), ""]


def claim_block(c: Mapping) -> list[str]:
    """One step: statement as written, verdict, how it was decided, and repairs."""
    out = [f'<a id="{claim_anchor(c["id"])}"></a>',
           f"**`{c['id']}`: {VERDICT_LABEL[c['verdict']]}**", "", "As written:", "",
           display_math(c["statement"]), ""]
    source = c.get("source") or {}
    if source.get("quote") and c.get("restated"):
        out += [f"*The slide's words ({prose(c['restated'])}):*", "",
                display_math(source["quote"]), ""]
    elif source.get("quote") and source.get("link") == "conclusion":
        out += ["*On the slide:* the first member of the chain against its last (the "
                "conclusion of the derivation).", ""]
    elif source.get("quote") and source.get("link") is not None:
        out += [f"*On the slide:* link {source['link']} of the chain in the "
                f"{source['location']}.", ""]
    if c.get("assumptions"):
        out += [f"*Judged under:* {prose(c['assumptions'])}", ""]
    out += [f"*How it was decided:* {prose(c['method'])}", ""]
    if c.get("recorded") not in (None, c["verdict"]):
        out += [f"**The computed verdict differs from the recorded one ({c['recorded']}).**", ""]
    if c.get("counterexample"):
        out += [f"*Counterexample:* {prose(c['counterexample'])}", ""]
    if c.get("gap"):
        out += [f"*What the argument leaves out:* {prose(c['gap'])}", ""]
    if c.get("note"):
        out += [f"*Note:* {prose(c['note'])}", ""]
    if c.get("correction"):
        label = "Corrected statement" if c["verdict"] == "false" else "Repaired version"
        out += [f"*{label} (proved):*", "", display_math(c["correction"]), ""]
    return out


SIM_COLUMNS = ("experiment", "problem", "d", "μ", "L", "M", "α", "α(L+μ)/2", "batch", "steps",
               "tested from", "trajectories", "check", "basis", "mde", "worst score",
               "max estimate/bound, t ≥ 1", "expected", "verdict")


def simulation_table(sims: Sequence[Mapping]) -> list[str]:
    rows = ["| " + " | ".join(SIM_COLUMNS) + " |", "|" + "---|" * len(SIM_COLUMNS)]
    for s in sims:
        p, chk = s["parameters"], s["bound_check"]
        checks = [c for c in (chk, s.get("exact_check")) if c]
        score = max(c.get("worst_score", 0.0) for c in checks) if checks else None
        verdict = s.get("verdict", "pass" if s["expectation_met"] else "fail")
        shown = verdict + ("" if verdict == "pass" else " — **unexpected**")
        cells = [f"`{s['id']}`", p["problem"], p["dim"], p["mu"], p["L"], p["M"],
                 p["alpha"], p["alpha"] * (p["L"] + p["mu"]) / 2, p["batch"], p["steps"],
                 p.get("test_from", 0), p["trajectories"], s.get("check", "—"),
                 s.get("basis", "—"), s.get("mde"), score,
                 chk.get("max_ratio_after_start"), s["expected"], shown]
        rows.append("| " + " | ".join(c if isinstance(c, str) else _fmt(c) for c in cells)
                    + " |")
    return rows


def s_tol(sims: Sequence[Mapping]) -> str:
    """The tolerance of the runs' checks, as text (one value, or the range)."""
    tols = sorted({s.get("tolerance") for s in sims if s.get("tolerance") is not None})
    if not tols:
        return "its tolerance"
    return f"{tols[0]:.0%}" if len(tols) == 1 else f"{tols[0]:.0%}–{tols[-1]:.0%}"


def simulations_section(report: Mapping, figures: Sequence[Mapping]) -> list[str]:
    sims = report["simulations"]
    meta = report["meta"]
    lines = [
        "## Monte Carlo evidence for the SGD bound",
        "",
        "Each run simulates many independent SGD trajectories on a problem whose constants "
        "$\\mu$, $L$, $M$ and minimiser $w^*$ are known exactly, and compares the Monte Carlo "
        "mean of $\\|w_t-w^*\\|^2$ with the lecture's recursion "
        "$b_{t+1}=(1-\\alpha\\mu)^2 b_t+\\alpha^2 M$, $b_0=\\|w_0-w^*\\|^2$, at every step "
        "from *tested from* on (noise-ball runs test a window after the level is reached, "
        "against the lecture's level $\\alpha M/(2\\mu-\\alpha\\mu^2)$). Each run seeds its "
        "trajectories from the root seed and its own id. *check* is the run's main test: "
        "*exact* is two-sided against the exact $\\mathbf E\\|w_t-w^*\\|^2$ (quadratics; where "
        "the bound holds with equality, $H=\\mu I$ or one dimension, against the recursion "
        "itself), so a simulator that is too good fails as well as one that is too bad; every "
        "run is also checked one-sided against the bound; *upper-bound* is that one-sided check "
        "alone (logistic regression, no exact theory); *violation* expects the bound to be "
        "rejected (outside the step-size condition). Every check has family-wise false-alarm "
        f"probability $\\delta={_tex_number(meta['delta'])}$ (Bonferroni over the steps and "
        "sides). *basis* says what guarantees it: *finite-sample* (quadratics: every "
        "$\\|w_t-w^*\\|^2$ lies below an almost-sure bound computed from the data, and the "
        "empirical Bernstein bound of Maurer and Pontil holds for any number of trajectories) "
        "or *clt* (the normal approximation). *mde* is the smallest relative error in "
        "$\\mathbf E\\|w_t-w^*\\|^2$, at any one tested step, that the main check detects with "
        "probability 0.99; a check decides only when it is at most "
        f"{s_tol(sims)}, and is *inconclusive* otherwise. *worst score* is the largest excess "
        "over the critical half-width (a step rejects above 1). A ratio *estimate/bound* near 1 "
        "means the bound is tight there. The column $\\alpha(L+\\mu)/2$ is at most 1 exactly "
        "when the step-size condition $\\alpha\\le 2/(L+\\mu)$ holds.",
        "",
    ]
    lines += simulation_table(sims) + [""]
    known = {c["id"] for c in report["claims"]}
    for s in sims:
        tests = f" Tests {claim_links(s['claims'], known)}." if s.get("claims") else ""
        lines.append(f"- `{s['id']}`: {text(s['purpose'])}.{tests}")
    lines.append("")
    if gd := report.get("gd_rate"):
        lines += ["Gradient descent (deterministic, slide *Gradient Descent Converges*): with "
                  "$\\alpha=2/(L+\\mu)$ the distance must satisfy "
                  "$\\|w_t-w^*\\|\\le((L-\\mu)/(L+\\mu))^t\\|w_0-w^*\\|$ at every step "
                  "(relative rounding slack $10^{-9}$). The start has equal components on all "
                  "$d$ eigenvectors of a spectrum evenly spaced in $[\\mu, L]$; those on $\\mu$ "
                  "and $L$ contract at exactly the rate, so the ratio to the bound settles at "
                  "$\\sqrt{2/d}$ instead of going to 0: the rate cannot be improved. Tests "
                  f"{claim_links(gd[0].get('claims', ()), {c['id'] for c in report['claims']})}"
                  ".", ""]
        for g in gd:
            ratio = g["worst_ratio_after_start"]
            lines.append(f"- μ = {g['mu']:g}, L = {g['L']:g}, d = {g['dim']}, {g['steps']} "
                         f"steps: largest ratio ‖w_t − w*‖ / bound for t ≥ 1: {ratio:.4f}, "
                         + ("within the rate." if g["passed"] else "**exceeds the rate.**"))
        lines.append("")
    lines += ["### Figures", ""]
    for f in figures:
        lines += [f"#### {text(f['title'])}", "", f"![{text(f['title'])}]({f['path']})", "",
                  text(f["caption"]), ""]
    return lines


def render(report: Mapping, *, figures: Sequence[Mapping] = (),
           beyond_figures: Sequence[Mapping] = ()) -> str:
    """The whole ``verification.md`` from the report record and the figure list."""
    meta = report["meta"]
    lines = [
        f"# Verification of the lecture *{meta['lecture']}*",
        "",
        "Generated by `sgd-suite report` "
        f"({'`--quick`' if meta['mode'] == 'quick' else 'full run'}); "
        "the same content as data is in [verification.json](verification.json). "
        "Every step of the lecture is decided exactly (SymPy, z3) and cross-checked "
        "numerically (mpmath); the SGD bound is then tested by Monte Carlo.",
        "",
    ]
    lines += summary(report)
    lines += claims_section(report["claims"])
    if report.get("coverage"):
        lines += coverage_section(report["coverage"])
    if report.get("beyond_claims"):
        from sgd_suite.formulas import section

        lines += section(report["beyond_claims"])
    lines += simulations_section(report, figures)
    if report.get("beyond"):
        from sgd_suite.beyond_markdown import section

        lines += section(report["beyond"], beyond_figures, delta=meta["delta"])
    return "\n".join(lines).rstrip() + "\n"
