#!/usr/bin/env python3
"""A prior over the identifier's languages: how many people write each one.

Text that fits several languages equally well should go to the language more
people write. This script estimates writers per language from public facts,
CLDR's territory/language population table (supplementalData.xml of the
Debian package unicode-cldr-core, Unicode-DFS-2016 licence):

    writers(l) = sum over territories t of
                 population(t) * populationPercent(l, t) / 100
                 * (writingPercent(l, t) or literacyPercent(t)) / 100

CLDR names a language with an optional script ("sr_Latn", "zh_Hant"); a bare
code takes its likely script from likelySubtags.xml ("sr" -> Cyrl, "zh" ->
Hans). A CLDR entry goes to our label "base-Script" when the label set has
one, else to "base" when the label set has no script variants of it (or the
script is the likely one); other scripts are dropped.

Languages CLDR does not list (or lists with no writers) get a floor (--floor
writers). Languages whose only running text is the UDHR (languages.tsv
SOURCES has no family besides udhr, cldr, wordlists and subtitle-words: word lists and CLDR
strings are short items, not text) are capped at --udhr-writers whatever CLDR
says: the model knows them from one text, so they must not win short,
ambiguous input.

Output (TSV, one line per label in languages.tsv order):
    CODE<TAB>WRITERS<TAB>LOG_PRIOR<TAB>BASIS
LOG_PRIOR = ln(writers / total writers over the labels); BASIS says where
the number came from (cldr, floor, udhr-only).

usage: language_prior.py --cldr DIR --languages data/languages.tsv -o prior.tsv
       DIR holds supplementalData.xml and likelySubtags.xml.
"""
import argparse
import collections
import math
import os
import sys
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True


def likely_scripts(path):
    """bare language code -> its likely script ("sr" -> "Cyrl")."""
    scripts = {}
    for node in ET.parse(path).getroot().iter('likelySubtag'):
        source, target = node.get('from'), node.get('to')
        if source and target and '_' not in source:
            parts = target.split('_')
            if len(parts) >= 2 and len(parts[1]) == 4:
                scripts[source] = parts[1]
    return scripts


def cldr_writers(path, scripts):
    """(base, Script) -> estimated writers, summed over territories."""
    writers = collections.defaultdict(float)
    for territory in ET.parse(path).getroot().iter('territory'):
        population = territory.get('population')
        if population is None:
            continue
        population = float(population)
        literacy = float(territory.get('literacyPercent', '100'))
        for entry in territory.iter('languagePopulation'):
            code = entry.get('type')
            share = float(entry.get('populationPercent', '0'))
            writing = float(entry.get('writingPercent', literacy))
            base, _, script = code.partition('_')
            script = script or scripts.get(base, '')
            base = ALIASES.get(base, base)
            writers[(base, script)] += population * share / 100.0 * writing / 100.0
    return writers


# CLDR codes whose language our labels name with another code.
ALIASES = {'fil': 'tl'}  # Filipino: the standard form of Tagalog


# Families of short items (word lists, CLDR strings): they season a language's
# data but are not running text (tools/corpus/README.md).
SHORT_FAMILIES = {'cldr', 'wordlists', 'subtitle-words'}


def running_text_besides_udhr(sources):
    """True when SOURCES (comma-separated families) has running text other
    than the UDHR; word lists and CLDR strings do not count."""
    return any(f and f != 'udhr' and f not in SHORT_FAMILIES for f in sources.split(','))


def read_languages(path):
    """[(code, sources)] in file order."""
    rows = []
    with open(path, encoding='utf-8') as f:
        for line in f:
            cols = line.rstrip('\n').split('\t')
            if len(cols) >= 3 and cols[0] and not cols[0].startswith('#'):
                rows.append((cols[0], cols[2]))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--cldr', required=True, help='folder with supplementalData.xml and likelySubtags.xml')
    ap.add_argument('--languages', required=True, help='languages.tsv (CODE, NAME, SOURCES, ...)')
    ap.add_argument('--floor', type=float, default=20000.0, help='writers of a language CLDR does not list')
    ap.add_argument('--udhr-writers', type=float, default=20000.0,
                    help='writers of a language known only from the UDHR (at most; default: the floor)')
    ap.add_argument('-o', '--out', required=True)
    args = ap.parse_args()

    scripts = likely_scripts(os.path.join(args.cldr, 'likelySubtags.xml'))
    writers = cldr_writers(os.path.join(args.cldr, 'supplementalData.xml'), scripts)
    labels = read_languages(args.languages)
    codes = {code for code, _ in labels}
    with_script = collections.defaultdict(set)  # base -> scripts that have their own label
    for code in codes:
        base, _, script = code.partition('-')
        if script:
            with_script[base].add(script)

    estimate = {}
    for (base, script), count in writers.items():
        if script and f'{base}-{script}' in codes:
            code = f'{base}-{script}'
        elif base in codes and (not with_script[base] or script == scripts.get(base, script)):
            code = base
        else:
            continue
        estimate[code] = estimate.get(code, 0.0) + count

    rows = []
    for code, sources in labels:
        if not running_text_besides_udhr(sources):
            basis, count = 'udhr-only', min(args.udhr_writers, estimate.get(code, args.udhr_writers) or args.udhr_writers)
        elif code in estimate and estimate[code] >= args.floor:
            basis, count = 'cldr', estimate[code]
        else:
            basis, count = 'floor', args.floor
        rows.append((code, count, basis))
    total = sum(count for _, count, _ in rows)
    tmp = args.out + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write('# CODE\tWRITERS\tLOG_PRIOR\tBASIS (tools/train/language_prior.py)\n')
        for code, count, basis in rows:
            f.write(f'{code}\t{count:.0f}\t{math.log(count / total):.6f}\t{basis}\n')
    os.replace(tmp, args.out)
    by_basis = collections.Counter(basis for _, _, basis in rows)
    top = sorted(rows, key=lambda r: -r[1])[:10]
    print(f'prior for {len(rows)} labels: ' + ', '.join(f'{b} {n}' for b, n in sorted(by_basis.items())))
    print('most written: ' + ', '.join(f'{c} {n / 1e6:.0f}M' for c, n, _ in top))


if __name__ == '__main__':
    main()
