"""Removal of the parts of a text that carry no language (Python 3 stdlib).

The runtime skips URLs, e-mail addresses, @handles, file names and paths,
numbers with units and markup before it computes features; training lines
are cleaned the same way here, so that a line is not mostly noise and the
model never learns from what it will not see.  What is removed is replaced by
a space; whitespace is then unified.  Nothing else is touched: short
everyday phrases ("ok", "Merci !", "Dobar dan") stay as they are.

    clean(text) -> text without the spans below
    NOISE_PATTERNS: (name, compiled regex) in the order they are applied

Kept on purpose: abbreviations with dots ("z. B.", "e.g.", "etc."), decimal
numbers without a unit and dates (the runtime drops digits itself), words
joined by a slash ("and/or", "y/o").
"""
import html
import re

# File extensions that mark a token as a file name (lower case).  Short
# generic endings such as ".de" are not listed: "z.B" or "Nr.de" are words.
_EXTENSIONS = (
    'txt|pdf|png|jpe?g|gif|bmp|svg|webp|tiff?|ico|mp3|mp4|ogg|oga|ogv|wav|'
    'flac|avi|mkv|mov|webm|zip|tar|gz|tgz|bz2|xz|7z|rar|deb|rpm|exe|dll|so|'
    'msi|dmg|iso|apk|html?|xml|json|ya?ml|toml|ini|cfg|conf|log|csv|tsv|'
    'docx?|xlsx?|pptx?|od[tspgf]|rtf|epub|py|js|ts|c|cc|cpp|h|hpp|java|rb|'
    'pl|php|sh|bat|md|rst|tex|css|sql|db|bak|tmp|mo|po|pot|ttf|otf')

NOISE_PATTERNS = [
    # markup: tags, then character references left over
    ('markup', re.compile(r'<[/!?]?[A-Za-z][^<>]{0,200}>|<!--.*?-->')),
    # URLs with a scheme or starting with www.
    ('url', re.compile(r'\b(?:https?|ftp|file|mailto):\S+|\bwww\.\S+', re.I)),
    # e-mail addresses (before @handles)
    ('email', re.compile(r'[\w.+-]+@[\w-]+(?:\.[\w-]+)+')),
    # @handles and #hashtags are names, not words of the text
    ('handle', re.compile(r'(?<![\w@])@\w[\w.]*\w|(?<![\w&#])#[^\W\d]\w*')),
    # paths: /usr/share/x, ~/.config, C:\Windows, ./configure, ../x
    ('path', re.compile(r'(?<![\w/])(?:~|\.{1,2})?/(?:[\w.+-]+/)*[\w.+-]*[\w+-]'
                        r'(?=[\s,;:!?)\]"\']|\.?$|\.\s)'
                        r'|\b[A-Za-z]:\\[^\s]*|(?<!\w)\.{1,2}\\[^\s]*')),
    # file names: name.ext with a known extension
    ('file', re.compile(r'(?<![\w.])[\w+-]+(?:\.[\w+-]+)*\.(?:%s)\b' % _EXTENSIONS, re.I)),
    # numbers with a unit (SI and data units, currency, percent, degrees)
    ('number_unit', re.compile(
        r'(?<![\w.,])[-+]?\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?\s?'
        r'(?:[kKMGTP]i?[Bb](?:ps|it/s)?|[kMG]?Hz|bits?|bytes?|[kcmµμn]?[mgls]|km/h|mph|'
        r'kWh|[kMG]?W|mAh|V|px|pt|dpi|ppi|fps|°\s?[CF]?|%|‰|€|\$|£|¥|₽|₹|'
        r'h|min|sec|ms)(?![^\W\d_])'
        r'|[€$£¥₽₹]\s?\d+(?:[.,]\d+)*')),
]

# A pattern can only match when one of these characters occurs (speed).
_TRIGGERS = {'markup': '<', 'url': ':w', 'email': '@', 'handle': '@#',
             'path': '/\\', 'file': '.', 'number_unit': '€$£¥₽₹'}
_DIGIT = re.compile(r'\d')
_WS = re.compile(r'\s+')
# A space left before closing punctuation by a removal ("see  ." -> "see.").
_SPACE_PUNCT = re.compile(r'\s+([,.])(?=\s|$)')
_EMPTY_BRACKETS = re.compile(r'\(\s*\)|\[\s*\]|«\s*»|"\s*"')


def clean(text):
    """Text with markup, URLs, e-mails, @handles, paths, file names and
    numbers with units replaced by spaces; whitespace unified."""
    if not text:
        return ''
    t = html.unescape(text) if '&' in text else text
    for name, rx in NOISE_PATTERNS:
        if any(ch in t for ch in _TRIGGERS[name]) or (name == 'number_unit'
                                                      and _DIGIT.search(t)):
            t = rx.sub(' ', t)
    t = _EMPTY_BRACKETS.sub(' ', t)
    t = _WS.sub(' ', t).strip()
    t = _SPACE_PUNCT.sub(r'\1', t)
    return t


if __name__ == '__main__':
    import sys
    for line in sys.stdin:
        print(clean(line.rstrip('\n')))
