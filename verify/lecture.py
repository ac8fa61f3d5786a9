r"""The lecture as data: claims read from ``verify/lectures/<lecture>/claims/<topic>.toml``.

A lecture folder holds ``lecture.md`` (the lecture's mathematical text, with attribution) and one
TOML file per topic. A topic file has optional ``[defaults]`` (``slide``, ``symbols``,
``definitions``), optional ``[blocks]`` (named display blocks, quoted exactly) and a list of
``[[claim]]`` tables:

=====================  ============================================================================
key                    meaning
=====================  ============================================================================
``id``                 ``<topic>.<name>``, unique
``slide``              the slide heading as written (default from ``[defaults]``)
``location``           ``display``, ``inline`` or ``line``: where the quote stands on the slide
``block`` / ``quote``  the quoted text: a named block, or the text itself (must occur in
                       ``lecture.md``, whitespace aside)
``link``               for a chain, the link judged (1 = first relation) or ``"conclusion"``
                       (first member against last)
``statement``          only with ``restated``: the judged LaTeX when the slide's words are prose
``restated``           why the statement restates the quote (shown beside the quote)
``symbols``            declarations (:mod:`verify.scope`), merged over the defaults
``definitions``        ``f(x) = ...`` as on the slides, merged over the defaults
``hypotheses``         the slide's hypotheses (LaTeX)
``hypotheses_added``   ``[{name, statement, justify?}]``: named hypotheses a gap needs
``correction``         a corrected statement (LaTeX), judged under the slide's hypotheses
``recorded``           the verdict the tests expect (an expected output, never read by the judge)
``tamper_keeps``       ``{tamper id = reason}``: tampers that cannot change the verdict, and why
=====================  ============================================================================

The statement of a claim is derived from its quote (the quote itself, or one link of it) unless
it is restated, so what is judged is the slide's text.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

from verify import terms as t
from verify.parse import ParseError, item_text, link_text, parse

__all__ = ["Added", "Claim", "DataError", "Source", "claims", "lecture_text", "load_topic",
           "topics"]

LECTURE = "cs6787_lecture1"
_LOCATIONS = ("display", "inline", "line")
_KEYS = {"id", "slide", "location", "block", "quote", "link", "statement", "restated", "symbols",
         "definitions", "hypotheses", "hypotheses_added", "correction", "recorded",
         "tamper_keeps"}


class DataError(ValueError):
    """A claim file is malformed (the message names the file and the claim)."""


@dataclass(frozen=True)
class Source:
    """Where a claim's text stands: lecture, slide, kind of location, exact quote, link."""

    lecture: str
    slide: str
    location: str
    quote: str
    link: int | str | None = None
    block: str | None = None


@dataclass(frozen=True)
class Added:
    """A hypothesis the slide does not state, named, and the library check that justifies it."""

    name: str
    statement: str
    justify: str | None = None


@dataclass(frozen=True)
class Claim:
    """One step of the lecture, as data: :func:`verify.judge` decides it from these fields."""

    id: str
    slide: str
    statement: str
    assumptions: str
    recorded: str
    source: Source
    symbols: tuple[tuple[str, str], ...] = ()
    definitions: tuple[str, ...] = ()
    hypotheses: tuple[str, ...] = ()
    hypotheses_added: tuple[Added, ...] = ()
    correction: str | None = None
    restated: str | None = None
    tamper_keeps: tuple[tuple[str, str], ...] = ()


def _folder(lecture: str):
    return resources.files("verify.lectures").joinpath(lecture)


@functools.cache
def lecture_text(lecture: str = LECTURE) -> str:
    """The shipped text of the lecture (``lecture.md``)."""
    return _folder(lecture).joinpath("lecture.md").read_text(encoding="utf-8")


def topics(lecture: str = LECTURE) -> list[str]:
    """Topics that have a claim file."""
    folder = _folder(lecture).joinpath("claims")
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def _combined(ops: tuple[str, ...]) -> str:
    kinds = set(ops) - {"="}
    if not kinds:
        return "="
    for weak, strict in (("leq", "<"), ("geq", ">")):
        if kinds <= {weak, strict}:
            return strict if strict in kinds else weak
    raise DataError(f"the links {ops} do not combine into one relation")


_LAYOUT = re.compile(r"\\\\|&|\\q?quad(?![a-zA-Z])|\\(begin|end)\{aligned\}")


def _clean(text: str) -> str:
    """A link as one line: layout (``\\\\``, ``&``, ``\\quad``) removed, whitespace collapsed."""
    return " ".join(_LAYOUT.sub(" ", text).split())


def _statement(quote: str, link) -> str:
    node = parse(quote)
    if link is None and isinstance(node, (t.Iff, t.Predicate)):
        return _clean(quote)  # an equivalence or a property, judged whole (verify.classes)
    if link is None:
        if not isinstance(node, t.Chain) or len(node.ops) != 1:
            raise DataError("the quote is not one relation: give 'link' or a restatement")
        return _clean(quote)
    if not isinstance(node, t.Chain):
        raise DataError("'link' needs a chain of relations")
    if link == "conclusion":
        (a0, a1), (b0, b1) = node.spans[0], node.spans[-1]
        op = {"=": "=", "leq": r"\leq", "geq": r"\geq", "<": "<", ">": ">"}[_combined(node.ops)]
        return _clean(f"{item_text(quote, a0, a1)} {op} {item_text(quote, b0, b1)}")
    return _clean(link_text(node, int(link)))


def _claim(raw: dict, defaults: dict, blocks: dict, where: str,
           lecture: str = LECTURE) -> Claim:
    unknown = set(raw) - _KEYS
    if unknown:
        raise DataError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "recorded"):
        if key not in raw:
            raise DataError(f"{where}: '{key}' is required")
    where = f"{where} ({raw['id']})"
    slide = raw.get("slide", defaults.get("slide"))
    location = raw.get("location", "display")
    if not slide or location not in _LOCATIONS:
        raise DataError(f"{where}: needs a slide and a location in {_LOCATIONS}")
    if ("block" in raw) == ("quote" in raw):
        raise DataError(f"{where}: give exactly one of 'block' and 'quote'")
    quote = blocks[raw["block"]] if "block" in raw else raw["quote"]
    restated = raw.get("restated")
    if ("statement" in raw) != (restated is not None):
        raise DataError(f"{where}: a 'statement' needs 'restated' (why), and vice versa")
    try:
        statement = raw["statement"] if restated else _statement(quote, raw.get("link"))
    except ParseError as exc:
        raise DataError(f"{where}: the quote does not parse: {exc}") from None
    symbols = {**defaults.get("symbols", {}), **raw.get("symbols", {})}
    definitions = (*defaults.get("definitions", ()), *raw.get("definitions", ()))
    hypotheses = tuple(raw.get("hypotheses", ()))
    added = tuple(Added(a["name"], a["statement"], a.get("justify"))
                  for a in raw.get("hypotheses_added", ()))
    kinds: dict[str, list[str]] = {}
    for name, kind in symbols.items():
        kinds.setdefault(kind, []).append(name)
    summary = "; ".join((*(f"{', '.join(names)}: {kind}" for kind, names in kinds.items()),
                         *(f"${d}$" for d in definitions), *(f"${h}$" for h in hypotheses)))
    return Claim(
        id=raw["id"], slide=slide, statement=statement, assumptions=summary or "none",
        recorded=raw["recorded"],
        source=Source(lecture, slide, location, quote, raw.get("link"), raw.get("block")),
        symbols=tuple(symbols.items()), definitions=tuple(definitions), hypotheses=hypotheses,
        hypotheses_added=added, correction=raw.get("correction"), restated=restated,
        tamper_keeps=tuple(raw.get("tamper_keeps", {}).items()))


@functools.cache
def load_topic(topic: str, lecture: str = LECTURE) -> tuple[Claim, ...]:
    """The claims of one topic file, in file order."""
    path = _folder(lecture).joinpath("claims", f"{topic}.toml")
    where = f"{lecture}/claims/{topic}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{where}: {exc}") from None
    defaults, blocks = data.get("defaults", {}), data.get("blocks", {})
    return tuple(_claim(raw, defaults, blocks, where, lecture) for raw in data.get("claim", ()))


def claims(lecture: str = LECTURE) -> tuple[Claim, ...]:
    """Every claim of a lecture folder: its topics in name order, each in file order."""
    return tuple(c for topic in topics(lecture) for c in load_topic(topic, lecture))
