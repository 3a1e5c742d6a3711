#!/usr/bin/env python3
"""Line sets for `make bench-peers`: about 50-character and about
200-character lines (CODE<TAB>TEXT, the peers harness's input format).

usage: peer_lines.py SOURCE.tsv OUT_DIR [--max-lines N]

SOURCE is data/heldout.tsv when `make data` has made it, else the harness's
sample_udhr.tsv. Lines are made the same way from either:
  lines50.tsv   one text cut at a word boundary to 40-55 characters (texts
                without spaces, e.g. Chinese, Japanese, Thai: their first 50
                characters); texts shorter than 40 characters are left out.
  lines200.tsv  consecutive texts of one language joined with spaces until
                180 characters, then cut at a word boundary to 180-210
                characters (or at 200 characters without spaces).
Both keep at most N lines (default 4000), taken with a fixed stride through
the file, so a run is deterministic. Prints what it made.
"""
import os
import statistics
import sys


def cut(text, low, high, fallback):
    """Whole words up to `high` characters if that reaches `low`, else the
    first `fallback` characters."""
    words = text.split(' ')
    out = ''
    for w in words:
        candidate = (out + ' ' + w) if out else w
        if len(candidate) > high:
            break
        out = candidate
    if len(out) >= low:
        return out
    return text[:fallback] if len(text) >= low else None


def read_source(path):
    rows = []
    with open(path, encoding='utf-8', errors='replace') as f:
        for line in f:
            line = line.rstrip('\n').rstrip('\r')
            if not line or line.startswith('#') or '\t' not in line:
                continue
            code, text = line.split('\t', 1)
            text = ' '.join(text.split())
            if code and text:
                rows.append((code, text))
    return rows


def strided(items, n):
    if len(items) <= n:
        return items
    return [items[(i * len(items)) // n] for i in range(n)]


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    source, out_dir = argv[1], argv[2]
    max_lines = int(argv[argv.index('--max-lines') + 1]) if '--max-lines' in argv else 4000
    os.makedirs(out_dir, exist_ok=True)
    rows = read_source(source)
    if not rows:
        sys.stderr.write(f'peer_lines.py: no CODE<TAB>TEXT lines in {source}\n')
        return 1
    lines50 = []
    for code, text in rows:
        c = cut(text, 40, 55, 50)
        if c:
            lines50.append((code, c))
    lines200 = []
    i = 0
    while i < len(rows):
        code, text = rows[i]
        j = i + 1
        while len(text) < 180 and j < len(rows) and rows[j][0] == code:
            text += ' ' + rows[j][1]
            j += 1
        c = cut(text, 180, 210, 200)
        if c:
            lines200.append((code, c))
        i = j
    for name, lines in (('lines50.tsv', lines50), ('lines200.tsv', lines200)):
        lines = strided(lines, max_lines)
        with open(f'{out_dir}/{name}', 'w', encoding='utf-8') as f:
            for code, text in lines:
                f.write(f'{code}\t{text}\n')
        chars = [len(t) for _, t in lines]
        print(f'{out_dir}/{name}: {len(lines)} lines, {len({c for c, _ in lines})} languages, '
              f'characters median {statistics.median(chars):.0f} (min {min(chars)}, max {max(chars)}), '
              f'from {source}')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
