"""The "Beyond the lecture" section of ``verification.md``, rendered from the ``beyond`` records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sgd_suite.markdown import _tex_number

COLUMNS = ("run", "option", "α", "β", "batch", "sampling", "steps", "N", "exact theory",
           "verdict", "basis", "mde", "worst \\|z\\|")

THEORY = {
    "schedule": "`schedule_mean_sq_dist`",
    "inverse-time": "`inverse_time_isotropic`: M/(μ²t)",
    "averaging": "`averaged_mean_sq_dist`",
    "minibatch": "`schedule_mean_sq_dist` × `minibatch_noise_factor`",
    "momentum": "`heavy_ball_mean_sq_dist`",
}


def _fmt(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, float):
        return f"{x:.4g}"
    return str(x)


def section(records: Sequence[Mapping], figures: Sequence[Mapping], *, delta: float) -> list[str]:
    """Markdown lines of the section (empty without records)."""
    if not records:
        return []
    tols = sorted({r["tolerance"] for r in records})
    failed = [r["id"] for r in records if not r["passed"]]
    lines = [
        "## Beyond the lecture",
        "",
        "What a researcher simulates next: a decaying step size, Polyak–Ruppert averaging, "
        "minibatches drawn with and without replacement, and heavy-ball momentum, on quadratic "
        "finite sums whose gradient noise does not depend on $w$. Each run is compared, at every "
        "step, with its exact $\\mathbf E\\|w_t-w^*\\|^2$ from `sim.theory`, computed from the "
        "problem's Hessian and per-sample gradients alone (never from the simulation), by the "
        "two-sided `sim.check.check_exact` with family-wise false-alarm probability "
        f"$\\delta={_tex_number(delta)}$. *basis* is *finite-sample* where `sim.almost_sure` "
        "bounds every $\\|w_t-w^*\\|^2$ (constant steps, any batch and sampling) and *clt* "
        "otherwise (the schedule, momentum β > 0, and the average, whose almost-sure range is "
        f"too loose to help); a check decides when its *mde* is at most {tols[0]:.0%}"
        + (f"–{tols[-1]:.0%}" if len(tols) > 1 else "") + ". Seeds derive from the report's "
        "root seed and each run's id.",
        "",
        f"{len(records) - len(failed)} of {len(records)} runs pass"
        + (f"; not passing: {', '.join(f'`{i}`' for i in failed)}." if failed else "."),
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for r in records:
        p, c = r["parameters"], r["check"]
        cells = [f"`{r['id']}`", r["group"], p["alpha"], p["momentum"], p["batch"],
                 p["sampling"], p["steps"], p["trajectories"],
                 THEORY["inverse-time" if isinstance(p["alpha"], str) else r["group"]],
                 r["verdict"], r["basis"], r["mde"], c.get("worst_abs_z")]
        lines.append("| " + " | ".join(_fmt(x) for x in cells) + " |")
    lines.append("")
    for r in records:
        lines.append(f"- `{r['id']}`: {r['purpose']}.")
    lines.append("")
    for f in figures:
        lines += [f"#### {f['title']}", "", f"![{f['title']}]({f['path']})", "",
                  f["caption"], ""]
    return lines
