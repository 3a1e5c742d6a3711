"""ffnlp: on-device language identification for 463 languages.

    >>> import ffnlp
    >>> ffnlp.detect("Ce n'est pas une pipe, c'est une image de pipe.").language
    'fr'

The built-in model (395 KB) is part of the package; :class:`Model` loads
another ``.ffm`` file or bytes. Classification runs in the ffnlp C++ runtime
through its C API, without the GIL; :meth:`Model.classify_batch` uses all
cores. Any number of threads may share one model.

Texts are ``str`` or UTF-8 ``bytes``. A ``str`` holding lone surrogates
cannot be encoded and raises ``UnicodeEncodeError``; in ``bytes``, invalid
UTF-8 sequences separate words, as in the C API.
"""
from __future__ import annotations

import os
import pathlib
import threading
from importlib import resources
from typing import Iterable, List, Optional, Tuple, Union

from . import _native
from ._types import Error, Language, Result, Span, TaggedToken

__all__ = [
    "CLASSIFY_OPTIONS",
    "DEFAULT_PREFER_WEIGHT",
    "MAX_PREFER_WEIGHT",
    "Error",
    "Language",
    "Model",
    "Result",
    "cached_model",
    "Span",
    "TaggedToken",
    "default_model",
    "detect",
    "detect_batch",
    "detect_top",
    "languages",
    "spans",
]

__version__ = "1.0.0"

_native._set_types(Result, Span, Language, Error)

#: True when the runtime compiled in has ``ffnlp_classify_ex``, so the
#: ``only=`` (allow-list), ``prior=`` and ``prefer=`` (hints) options work;
#: otherwise they raise ``NotImplementedError``.
CLASSIFY_OPTIONS: bool = _native.CLASSIFY_OPTIONS

#: The weight ``prefer=`` hints get when ``prefer_weight`` is None, as the
#: runtime states it (``ffnlp_default_prefer_weight()``), and the largest
#: accepted (beyond it a hint would be an allow-list: use ``only=``).
DEFAULT_PREFER_WEIGHT: float = _native.DEFAULT_PREFER_WEIGHT
MAX_PREFER_WEIGHT: float = _native.MAX_PREFER_WEIGHT

Text = Union[str, bytes, bytearray, memoryview]
ModelSource = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, None]

_BUILTIN = "langid.ffm"


class Model(_native.Model):
    """A loaded ffnlp model.

    ``Model()`` is the built-in language identifier; ``Model(path)`` maps an
    ``.ffm`` file read-only; ``Model(data)`` copies the bytes of a model
    (``bytes``, ``bytearray`` or ``memoryview``). The file or bytes are
    validated once (checksum, bounds, shapes); a bad model raises
    :class:`Error` with the runtime's message.

    A model is read-only: share one between threads. ``only=`` restricts
    answers to some language codes, ``prior=`` (``"model"`` or
    ``"uniform"``) chooses the label prior, and ``prefer=`` gives hints
    (CLD2's: e.g. the user's language): each hinted code's logit gains
    ``prefer_weight`` (None: :data:`DEFAULT_PREFER_WEIGHT`), which tips
    ambiguous text towards it and excludes nothing; where the runtime
    supports them (:data:`CLASSIFY_OPTIONS`).
    """

    def __init__(self, source: ModelSource = None) -> None:
        if source is None:
            builtin = resources.files(__name__).joinpath(_BUILTIN)
            if isinstance(builtin, pathlib.Path):
                super().__init__(path=str(builtin))
            else:  # a zipped install: read the bytes
                super().__init__(data=builtin.read_bytes())
        elif isinstance(source, (str, os.PathLike)):
            super().__init__(path=os.fspath(source))
        elif isinstance(source, (bytes, bytearray, memoryview)):
            super().__init__(data=source)
        else:
            raise TypeError(
                "Model() takes a path (str or os.PathLike), the model's bytes, or nothing "
                "for the built-in model, not %s" % type(source).__name__
            )

    def __repr__(self) -> str:
        return "<ffnlp.Model %r: %s, %d labels, %d bytes>" % (
            self.name, self.task, len(self.languages), self.file_size)

    def detect_top(self, text: Text, k: int = 3, *, only: Optional[Iterable[str]] = None,
                   prior: Optional[str] = None, prefer: Optional[Iterable[str]] = None,
                   prefer_weight: Optional[float] = None) -> List[Result]:
        """The ``k`` most probable languages of ``text``, best first (= ``classify``)."""
        return self.classify(text, k, only=only, prior=prior, prefer=prefer, prefer_weight=prefer_weight)

    def detect_batch(self, texts: Iterable[Text], *, threads: Optional[int] = None,
                     only: Optional[Iterable[str]] = None, prior: Optional[str] = None,
                     prefer: Optional[Iterable[str]] = None,
                     prefer_weight: Optional[float] = None) -> List[Result]:
        """The most probable language of every text, in order, on all cores.

        One :class:`Result` per text (an empty ``language`` only for a model
        without an unknown label, on a text without letters)."""
        none = Result("", "", 0.0, False)
        return [r[0] if r else none
                for r in self.classify_batch(texts, 1, threads=threads, only=only, prior=prior, prefer=prefer,
                                             prefer_weight=prefer_weight)]

    def tag(self, text: Text) -> List[TaggedToken]:
        """Labels every token of ``text`` (tagger models such as ``pos-en.ffm``).

        The text is cut into tokens by the model's tokenizer and tagged
        greedily, left to right, as one sequence. One :class:`TaggedToken`
        per token: ``text[start:end]`` is the token (str indices for a str,
        byte offsets for bytes), ``label`` its tag. Raises :class:`Error` for
        a model that is not a tagger."""
        return [TaggedToken(*t) for t in self._tag(text)]


_default: Optional[Model] = None
_default_lock = threading.Lock()


def default_model() -> Model:
    """The built-in language identifier, loaded once per process on first use."""
    global _default
    model = _default
    if model is None:
        with _default_lock:
            if _default is None:
                _default = Model()
            model = _default
    return model


_cached: dict = {}


def cached_model(path: Optional[Union[str, "os.PathLike[str]"]] = None) -> Model:
    """The model at ``path`` (None: the built-in one), loaded once per process.

    For cluster engines that call a function many times in one worker
    process (Spark pandas UDFs, Dask tasks, multiprocessing pools): the
    first call loads the model, later calls (any thread) return the same
    object. Keys are absolute paths."""
    if path is None:
        return default_model()
    key = os.path.abspath(os.fspath(path))
    model = _cached.get(key)
    if model is None:
        with _default_lock:
            model = _cached.get(key)
            if model is None:
                model = _cached[key] = Model(key)
    return model


def detect(text: Text, *, only: Optional[Iterable[str]] = None, prior: Optional[str] = None,
           prefer: Optional[Iterable[str]] = None, prefer_weight: Optional[float] = None) -> Result:
    """The most probable language of ``text`` with the built-in model.

    >>> ffnlp.detect("Der schnelle braune Fuchs springt über den faulen Hund.")
    Result(language='de', name='German', probability=..., is_reliable=True)
    """
    return default_model().detect(text, only=only, prior=prior, prefer=prefer, prefer_weight=prefer_weight)


def detect_top(text: Text, k: int = 3, *, only: Optional[Iterable[str]] = None,
               prior: Optional[str] = None, prefer: Optional[Iterable[str]] = None,
               prefer_weight: Optional[float] = None) -> List[Result]:
    """The ``k`` most probable languages of ``text``, best first (built-in model)."""
    return default_model().classify(text, k, only=only, prior=prior, prefer=prefer, prefer_weight=prefer_weight)


def detect_batch(texts: Iterable[Text], *, threads: Optional[int] = None) -> List[Result]:
    """The language of every text (built-in model), on ``threads`` native
    threads (None: one per CPU), without the GIL."""
    return default_model().detect_batch(texts, threads=threads)


def spans(text: Text) -> List[Span]:
    """Splits mixed-language text into runs of one language (built-in model)."""
    return default_model().spans(text)


def languages() -> Tuple[Language, ...]:
    """The built-in model's 463 languages: ``Language(code, name)``."""
    return default_model().languages
