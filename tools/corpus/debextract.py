#!/usr/bin/env python3
"""Extract only the text files we use from a Debian package's data tarball.

Usage: dpkg-deb --fsys-tarfile PKG.deb | python3 debextract.py OUTDIR

Equivalent to `dpkg -x PKG.deb OUTDIR` restricted to translation catalogues
(gettext .mo, Qt .qm), help/doc pages (.html/.xhp, GNOME .page), man pages,
fortune files, Tux Paint stamp descriptions, SWORD Bible modules, ktouch
courses, tuxtype word lists, KDE-Edu .kvtml vocabularies, SuperTux level
texts, word lists
(hunspell .dic/.aff, aspell .cwl + .dat, tesseract .traineddata), Firefox
language packs (.xpi) and the copyright files, so that e.g. wesnoth's 150 MB
of images or stellarium's textures are not written.
"""
import os
import re
import sys
import tarfile

KEEP = re.compile(
    r'(\.mo$'
    r'|\.x?html?$|\.xhp$'
    r'|^usr/share/man/'
    r'|^usr/share/games/fortunes/'
    r'|^usr/share/doc/[^/]+/copyright$'
    r'|^usr/share/doc/[^/]+/README'
    r'|\.qm$|\.page$|\.xpi$|\.traineddata$'
    r'|^usr/share/tuxpaint/stamps/.*\.txt$'
    r'|^usr/share/sword/'
    r'|^usr/share/ktouch/courses/.*\.xml$|^usr/share/tuxtype/themes/[^/]+/words/.*\.txt$'
    r'|^usr/share/apps/kvtml/.*\.kvtml$'
    r'|^usr/share/games/supertux2/levels/.*\.po$'
    r'|^usr/share/(hunspell|myspell)/.*\.(dic|aff)$'
    r'|^usr/share/aspell/.*\.cwl(\.gz)?$|^usr/lib/aspell/.*\.dat$)')


def main():
    out = sys.argv[1]
    with tarfile.open(fileobj=sys.stdin.buffer, mode='r|*') as tf:
        for m in tf:
            name = m.name.lstrip('./')
            if not (m.isfile() or m.issym()) or not KEEP.search(name):
                continue
            if '..' in name.split('/'):
                continue
            dest = os.path.join(out, name)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if m.issym():
                # keep symlinks as (relative) links; many man pages are links
                try:
                    os.symlink(m.linkname, dest)
                except FileExistsError:
                    pass
                continue
            src = tf.extractfile(m)
            with open(dest, 'wb') as f:
                f.write(src.read())


if __name__ == '__main__':
    main()
