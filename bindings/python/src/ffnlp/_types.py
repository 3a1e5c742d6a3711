"""Value types of the ffnlp package (all immutable named tuples)."""
from __future__ import annotations

from typing import NamedTuple, Union


class Result(NamedTuple):
    """One answer for a text.

    language:    the language code, e.g. ``"fr"``; the model's unknown label
                 (``"und"``) when the text has no letters.
    name:        the language's English name, e.g. ``"French"``
                 (``"Undetermined"`` for the unknown label).
    probability: the model's probability for this language, 0 to 1
                 (0 for the unknown label).
    is_reliable: True when the probability and the amount of text clear the
                 model's bar for a trustworthy answer.
    """

    language: str
    name: str
    probability: float
    is_reliable: bool


class Span(NamedTuple):
    """A run of one language inside a mixed-language text (``Model.spans``).

    ``text[start:end]`` is the span: str indices for a str, byte offsets for
    bytes. ``text`` holds that piece; the other fields are the span's own
    text classified whole, as in :class:`Result`.
    """

    start: int
    end: int
    language: str
    name: str
    probability: float
    is_reliable: bool
    text: Union[str, bytes]


class Language(NamedTuple):
    """A language the model knows: code (e.g. ``"de"``) and English name."""

    code: str
    name: str


class TaggedToken(NamedTuple):
    """One token of a tagged text (``Model.tag``, for tagger models)."""

    start: int
    end: int
    label: str
    probability: float


class Error(Exception):
    """A failure reported by the ffnlp runtime, with its message.

    ``status`` is the runtime's status number (``FFNLP_*`` in ffnlp_c.h) and
    ``status_name`` its readable name, e.g. ``"bad checksum"``.
    """

    status: int = 0
    status_name: str = ""
