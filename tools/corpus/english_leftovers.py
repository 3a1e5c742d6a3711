"""Untranslated English left in other languages' translation files.

Translation catalogues (LibreOffice, VLC, man pages) keep English strings
where a translator has not reached them yet. Labelled as, say, Polish, they
teach a language identifier that English-looking text may be anything, and
make it unsure of real English. A line is taken for English when at least two
of its words, and a fifth of all of them, are common English function words
that are rare as words elsewhere.
"""

import re

# Distinctive English function words. Left out on purpose: words that are
# common words in other languages too ("to" in Polish/Czech, "in", "is",
# "a", "die", "on").
ENGLISH_WORDS = frozenset(
    'the and of with this that you your which should from are will have has '
    'were when not for been would there their these those what must'.split())

# English itself and languages whose text legitimately uses these words.
EXEMPT = frozenset('en sco pcm jam kri pis bis tpi srn hwc gul crs'.split())

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def is_english_leftover(text):
    words = [w.lower() for w in _WORD.findall(text)]
    if not words:
        return False
    hits = sum(1 for w in words if w in ENGLISH_WORDS)
    return hits >= 2 and hits * 5 >= len(words)
