#!/usr/bin/env python3
"""Tests of the corpus tools' pure functions (stdlib unittest, no data/ needed).

    python3 tools/corpus/test_corpus.py
"""
import collections
import os
import struct
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cleanup  # noqa: E402
import english_leftovers  # noqa: E402
import everyday  # noqa: E402
import formats  # noqa: E402
import game_stories  # noqa: E402
import make_eval  # noqa: E402
import prepare  # noqa: E402
import serbian_latin  # noqa: E402
import subtitle_words  # noqa: E402
import translated  # noqa: E402
import wordlists  # noqa: E402
import written  # noqa: E402


class CleanupTest(unittest.TestCase):
    CASES = [
        ('Voir https://example.org/x?y=1 pour plus.', 'Voir pour plus.'),
        ('Écrivez à jean.dupont@mail.fr ou @jean_d !', 'Écrivez à ou !'),
        ('Ouvrez ~/.config/foo.conf puis /usr/share/doc.', 'Ouvrez puis.'),
        ('Le fichier rapport.pdf fait 3,5 MB et coûte 20 €.', 'Le fichier fait et coûte.'),
        ('Il fait 25 °C dehors', 'Il fait dehors'),
        ('Ouvrez C:\\Windows\\system32 ici', 'Ouvrez ici'),
        ('<b>Gras</b> &amp; fin', 'Gras & fin'),
        ('Je vais à la gare #voyage', 'Je vais à la gare'),
        ('Siehe www.example.com bitte', 'Siehe bitte'),
    ]
    KEPT = ['Merci !', 'ok', 'Dobar dan', 'z. B. und/oder e.g. etc.', 'Où est la gare ?',
            'Le 3 mai 2020 à Paris', 'Best,', 'les 10 lettres', 'Give me a few days.']

    def test_removes_noise(self):
        for text, want in self.CASES:
            self.assertEqual(cleanup.clean(text), want, text)

    def test_keeps_everyday_text(self):
        for text in self.KEPT:
            self.assertEqual(cleanup.clean(text), text)


def qm_file(pairs):
    """A minimal .qm file holding (source, translation) messages."""
    msgs = b''
    for src, tr in pairs:
        t = tr.encode('utf-16-be')
        s = src.encode('utf-8')
        msgs += bytes([3]) + struct.pack('>I', len(t)) + t
        msgs += bytes([6]) + struct.pack('>I', len(s)) + s
        msgs += bytes([1])
    return formats._QM_MAGIC + bytes([0x69]) + struct.pack('>I', len(msgs)) + msgs


class FormatsTest(unittest.TestCase):
    def test_qm(self):
        with tempfile.NamedTemporaryFile(suffix='.qm', delete=False) as f:
            f.write(qm_file([('Good job!', 'Bravo !'), ('Cat', 'Chat')]))
        try:
            self.assertEqual(formats.read_qm(f.name), [('Good job!', 'Bravo !'), ('Cat', 'Chat')])
        finally:
            os.remove(f.name)

    def test_not_qm(self):
        with tempfile.NamedTemporaryFile(suffix='.qm', delete=False) as f:
            f.write(b'not a qm file at all')
        try:
            self.assertEqual(formats.read_qm(f.name), [])
        finally:
            os.remove(f.name)

    def test_stamp(self):
        with tempfile.NamedTemporaryFile('w', suffix='.txt', delete=False, encoding='utf-8') as f:
            f.write('A cat.\nfr.utf8=Un chat.\nhi.utf8=एक बिल्ली|\n')
        try:
            self.assertEqual(formats.read_stamp(f.name),
                             {'en': 'A cat.', 'fr': 'Un chat.', 'hi': 'एक बिल्ली'})
        finally:
            os.remove(f.name)


def temp_file(text, suffix):
    """Path of a new temporary UTF-8 file holding `text` (caller removes it)."""
    with tempfile.NamedTemporaryFile('w', suffix=suffix, delete=False, encoding='utf-8') as f:
        f.write(text)
    return f.name


class EverydayTest(unittest.TestCase):
    def read(self, reader, text, suffix):
        path = temp_file(text, suffix)
        try:
            return reader(path)
        finally:
            os.remove(path)

    def test_ktouch_keeps_prose_drops_drills(self):
        course = ('<?xml version="1.0"?><course><lessons>'
                  '<lesson><title>1</title><text>fff jjj fff jjj fff jjj fff jjj\nddd kkk ddd kkk</text></lesson>'
                  '<lesson><title>2</title><text>asdf jkl. asdf jkl. Der var mange mennesker p&#xE5;\n'
                  'gaden, selv om det regnede. Han kom hjem sent om af-\nte-\nnen i g&#xE5;r.\n'
                  'stor komme stor komme stor komme stor komme.</text></lesson>'
                  '</lessons></course>')
        self.assertEqual(self.read(everyday.ktouch_lessons, course, '.xml'),
                         ['Der var mange mennesker på gaden, selv om det regnede. '
                          'Han kom hjem sent om aftenen i går.'])

    def test_tuxtype_words(self):
        self.assertEqual(self.read(everyday.tuxtype_words, 'Pallabres Variaes\nEL PAN\n\nEL XAMON\n', '.txt'),
                         ['Pallabres Variaes', 'el pan', 'el xamon'])

    def test_kvtml_words(self):
        kv = ('<?xml version="1.0"?><kvtml version="2.0"><entries>'
              '<entry id="0"><translation id="0"><text>mačka</text></translation></entry>'
              '<entry id="1"><translation id="0"><text> pes </text></translation>'
              '<translation id="1"><text></text></translation></entry></entries></kvtml>')
        self.assertEqual(self.read(everyday.kvtml_words, kv, '.kvtml'), ['mačka', 'pes'])

    def test_moment_phrases(self):
        js = (";(function (global, factory) { typeof exports === 'object' }(this, (function (moment) {\n"
              "    var ms = moment.defineLocale('ms', {\n"
              "        months: 'Januari_Februari_Mac'.split('_'),\n"
              "        longDateFormat: { LT: 'HH.mm', LLL: 'D MMMM YYYY [pukul] HH.mm' },\n"
              "        calendar: { sameDay: '[Hari ini pukul] LT', sameElse: 'L' },\n"
              "        // a comment: 'not text'\n"
              "        relativeTime: { future: 'dalam %s', past: '%s yang lepas',\n"
              "                        s: 'beberapa saat', mm: '%d minit', M: 'sebulan' },\n"
              "    });\n}));\n")
        self.assertEqual(self.read(everyday.moment_phrases, js, '.js'),
                         ['Januari', 'Februari', 'pukul', 'Hari ini pukul', 'dalam', 'yang lepas',
                          'beberapa saat', 'minit', 'sebulan', 'dalam beberapa saat',
                          'dalam sebulan', 'beberapa saat yang lepas', 'sebulan yang lepas'])

    def test_moment_keeps_words_next_to_accents(self):
        js = "moment.defineLocale('fo', { weekdays: 'mánadagur_sábado_um ein mánaður'.split('_') });\n"
        self.assertEqual(self.read(everyday.moment_phrases, js, '.js'),
                         ['mánadagur', 'sábado', 'um ein mánaður'])

    def test_moment_cjk_drops_format_tokens(self):
        js = ("moment.defineLocale('zh-cn', { LLL: 'YYYY年M月D日Ah点mm分',\n"
              "  relativeTime: { future: '%s后', s: '几秒' } });\n")
        self.assertEqual(self.read(everyday.moment_phrases, js, '.js'), ['几秒', '几秒后'])

    def test_datefns_phrases(self):
        d = tempfile.mkdtemp()
        files = {
            'formatDistance.js': ('const formatDistanceLocale = {\n  lessThanXSeconds: {\n'
                                  '    one: { standalone: "manje od 1 sekunde" },\n'
                                  '    dual: "manje od {{count}} sekunde",\n'
                                  '    other: "manje od {{count}} sekundi",\n  },\n'
                                  '  halfAMinute: "pola minute",\n};\n'),
            'formatRelative.js': ('// "not text"\nconst formatRelativeLocale = {\n'
                                  '  yesterday: "\'juče u\' p",\n  other: "P",\n};\n'),
            'localize.js': ('const dayValues = {\n  narrow: ["N", "P"],\n'
                            '  wide: ["nedjelja", "ponedjeljak"],\n};\n'
                            'x = { defaultWidth: "wide" };\n'),
        }
        try:
            for name, text in files.items():
                with open(os.path.join(d, name), 'w', encoding='utf-8') as f:
                    f.write(text)
            self.assertEqual(everyday.datefns_phrases(d),
                             ['manje od 1 sekunde', 'manje od 2 sekunde', 'manje od 5 sekundi',
                              'pola minute', 'juče u', 'nedjelja', 'ponedjeljak'])
        finally:
            for name in files:
                os.remove(os.path.join(d, name))
            os.rmdir(d)


class GameStoriesTest(unittest.TestCase):
    PO = ('msgid ""\nmsgstr ""\n"Project-Id-Version: SuperTux\\n"\n"Language: ms_MY\\n"\n\n'
          '#: levels/world1/x.stl:1\nmsgid "You found a secret area!"\n'
          'msgstr "Anda telah menemui satu tempat rahsia!"\n\n'
          'msgid "-Air Flower\\n!images/air.png\\n#The Air Flower..."\n'
          'msgstr ""\n"-Bunga Udara\\n"\n"!images/air.png\\n"\n"#Bunga Udara memberi Tux \\"keupayaan\\"."\n\n'
          'msgid "Untranslated"\nmsgstr ""\n')

    def test_po_strings(self):
        path = temp_file(self.PO, '.po')
        try:
            self.assertEqual(game_stories.po_strings(path),
                             ['Anda telah menemui satu tempat rahsia!',
                              '-Bunga Udara\n!images/air.png\n#Bunga Udara memberi Tux "keupayaan".'])
            self.assertEqual(game_stories.supertux_texts(path),
                             ['Anda telah menemui satu tempat rahsia!', 'Bunga Udara',
                              'Bunga Udara memberi Tux "keupayaan".'])
        finally:
            os.remove(path)


class WordlistTest(unittest.TestCase):
    def test_usable(self):
        self.assertEqual(wordlists.usable('rumah', 'ms'), 'rumah')
        self.assertEqual(wordlists.usable("aujourd'hui", 'fr'), "aujourd'hui")
        self.assertIsNone(wordlists.usable('Jakarta', 'id'))      # proper name
        self.assertEqual(wordlists.usable('Haus', 'de'), 'Haus')   # German noun
        self.assertIsNone(wordlists.usable('NASA', 'en'))
        self.assertIsNone(wordlists.usable('abc1', 'en'))
        self.assertIsNone(wordlists.usable('-ing', 'en'))

    def test_lines_are_short_and_split_by_word(self):
        v = wordlists.Vocab()
        v.words = {'w%s' % chr(0x61 + i % 26) * (1 + i % 5) + 'x' * (i // 26) for i in range(400)}
        v.stop = {'and', 'the'}
        train = wordlists.make_lines(v, 'train', 'xx', 10_000)
        held = wordlists.make_lines(v, 'heldout', 'xx', 10_000)
        self.assertTrue(train and held)
        self.assertTrue(all(1 <= len(l.split()) <= 3 for l in train))
        # a word belongs to one side of the split only
        self.assertTrue(all(wordlists.split_of(w) == 'train' for l in train for w in l.split()))
        self.assertTrue(all(wordlists.split_of(w) == 'heldout' for l in held for w in l.split()))
        self.assertEqual(train, wordlists.make_lines(v, 'train', 'xx', 10_000))


class SubtitleWordsTest(unittest.TestCase):
    """A fake package: ranked lists, Serbian in two scripts, Russian in the
    Ukrainian list, languages left out unless 'all'."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        res = os.path.join(self.dir, subtitle_words.PACKAGE, 'package', 'build', 'resources')
        os.makedirs(res)
        lists = {
            'serbian': ['da', 'je', 'hvala', 'да', 'хвала', 'Beograd', 'da'],
            'russian': ['что', 'ты', 'спасибо'],
            'ukrainian': ['що', 'что', 'ты', 'дякую', 'мы', 'і'],
            'czech': ['to', 'děkuji', 'ahoj', 'dobrý'],
            'english': ['the', 'thanks'],
            'thai': ['เธ'],
        }
        for name, words in lists.items():
            with open(os.path.join(res, name + '.txt'), 'w', encoding='utf-8') as f:
                f.write('\n'.join(words) + '\n')

    def tearDown(self):
        import shutil
        shutil.rmtree(self.dir)

    def test_collect(self):
        got = subtitle_words.collect(self.dir, 'all')
        self.assertEqual(got[('sr', 'Latn')].words, ['da', 'je', 'hvala'])  # no names, no repeats
        self.assertEqual(got[('sr', 'Cyrl')].words, ['да', 'хвала'])
        self.assertEqual(got[('uk', None)].words, ['що', 'дякую', 'і'])      # Russian dropped
        self.assertEqual(got[('cs', None)].words, ['to', 'děkuji', 'ahoj', 'dobrý'])
        self.assertNotIn(('en', None), got)
        self.assertNotIn(('th', None), got)
        self.assertIn('CC-BY-SA-4.0', got[('cs', None)].licence)

    def test_paired_leaves_out_one_sided_pairs(self):
        got = subtitle_words.collect(self.dir, 'paired')
        self.assertNotIn(('sr', 'Latn'), got)        # no Croatian / Bosnian list
        self.assertIn(('cs', None), got)             # Slovak has one

    def test_lines_follow_rank_and_split(self):
        r = subtitle_words.Ranked('x')
        r.words = ['w%04d' % i for i in range(3000)]
        train = subtitle_words.make_lines(r, 'train', 'xx', 2000)
        held = subtitle_words.make_lines(r, 'heldout', 'xx', 2000)
        main_train = [w for w in r.words if wordlists.split_of(w) == 'train']
        self.assertTrue(all(main_train[i] in line.split() for i, line in enumerate(train)))
        self.assertTrue(all(wordlists.split_of(w) == 'heldout' for line in held for w in line.split()))
        self.assertTrue(all(1 <= len(line.split()) <= 3 for line in train))
        self.assertEqual(train, subtitle_words.make_lines(r, 'train', 'xx', 2000))


class WrittenTest(unittest.TestCase):
    def test_select_applies_the_hygiene_rules(self):
        sources = {
            'hr': ['Vidimo se sutra!', 'Vidimo se sutra!', 'Hvala puno.', 'OK', 'Гдје си?',
                   'Ja sam dobro, a ti?', 'Kasnim, sorry.', 'Tko zna?'],
            'bs': ['Hvala puno.', 'Vidimo se u petak.'],
            'xx': ['Unknown label line.'],
        }
        train_labels = {'Kasnim, sorry.': {'sl'}, 'Vidimo se u petak.': {'bs'}}
        heldout_labels = {'Tko zna?': {'hr'}}
        phrases = {written.fold('Kako si? Ja sam dobro, a ti?'), written.fold('Vidimo se')}
        phrases.add(written.fold('dobro a ti'))
        rows, dropped = written.select(sources, {'hr', 'bs'}, train_labels, heldout_labels, phrases)
        self.assertEqual(rows, [('bs', 'Vidimo se u petak.'), ('hr', 'Vidimo se sutra!'), ('hr', 'OK')])
        self.assertEqual(dropped['duplicate'], 1)
        self.assertEqual(dropped['two labels'], 2)            # 'Hvala puno.' in hr and bs
        self.assertEqual(dropped['script'], 1)                # the Cyrillic line in a Latin file
        self.assertEqual(dropped['other label in train'], 1)
        self.assertEqual(dropped['in held-out'], 1)
        self.assertEqual(dropped['evaluation phrase'], 1)     # holds a 3-word phrase (2 words: kept)
        self.assertEqual(dropped['unknown label xx'], 1)

    def test_fold_ignores_case_and_punctuation(self):
        self.assertEqual(written.fold('  Hvala, PUNO!! '), 'hvala puno')


class TranslatedTest(unittest.TestCase):
    def test_markers_pair_outputs_with_lines_across_changed_line_breaks(self):
        def fake(mode, text):
            self.assertEqual(mode, 'ind-zlm')
            # the translator splits one line, joins two and marks an unknown word
            return (text.replace('karena', 'kerana').replace('Ini satu.', 'Ini\nsatu.')
                    .replace('\nQx7Q2q', ' *Qx7Q2q'))
        out = translated.translate('ind-zlm', ['Ini satu.', 'Saya pergi karena hujan.', 'Tiga'], run=fake)
        self.assertEqual(out, ['Ini satu.', 'Saya pergi kerana hujan.', 'Tiga'])

    def test_lost_marker_is_an_error(self):
        with self.assertRaises(RuntimeError):
            translated.translate('x', ['a', 'b'], run=lambda mode, text: text.replace('Qx7Q1q', ''))

    def test_clean_rules(self):
        dropped = collections.Counter()
        self.assertEqual(translated.clean('Saya pergi karena hujan, Budi.', 'Saya pergi kerana hujan, *Budi.',
                                          dropped), 'Saya pergi kerana hujan, Budi.')
        self.assertIsNone(translated.clean('Dia pergi.', 'Dia #pergi.', dropped))
        self.assertIsNone(translated.clean('Dia pergi.', 'Dia @pergi.', dropped))
        self.assertIsNone(translated.clean('Aku telat dikit ya', 'Aku *telat *dikit ya', dropped))
        self.assertIsNone(translated.clean('Terima kasih!', 'terima  kasih', dropped))
        self.assertEqual(dropped, collections.Counter({'generation error': 2, 'unknown words': 1,
                                                       'unchanged': 1}))


class SerbianLatinTest(unittest.TestCase):
    def test_every_letter_and_the_digraph_capitals(self):
        self.assertEqual(serbian_latin.to_latin('абвгдђежзијклљмнњопрстћуфхцчџш'),
                         'abvgdđežzijklljmnnjoprstćufhcčdžš')
        self.assertEqual(serbian_latin.to_latin('Љубав, Њива и Џеп'), 'Ljubav, Njiva i Džep')
        self.assertEqual(serbian_latin.to_latin('ЉУБАВ ЊЕГОШ ЏАК'), 'LJUBAV NJEGOŠ DŽAK')
        self.assertEqual(serbian_latin.to_latin('Где је GNOME 3?'), 'Gde je GNOME 3?')

    def test_only_serbian_cyrillic_is_convertible(self):
        self.assertTrue(serbian_latin.convertible('Хвала лепо'))
        self.assertFalse(serbian_latin.convertible('Спасибо большое'))  # ь, ш-less Russian
        self.assertFalse(serbian_latin.convertible('Щиро дякую'))       # Ukrainian щ
        self.assertFalse(serbian_latin.convertible('Hvala lepo'))       # nothing to convert

    def test_build_applies_the_hygiene_rules(self):
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, 'by_source'))
            def write(name, rows):
                with open(os.path.join(d, name), 'w', encoding='utf-8') as f:
                    f.writelines(f'{c}\t{t}\n' for c, t in rows)
            write('train.tsv', [('sr-Latn', 'Otvori datoteku'), ('hr', 'Zatvori prozor')])
            write('heldout.tsv', [('sr-Latn', 'Snimi sliku')])
            write('by_source/ui.train.tsv', [
                ('sr-Cyrl', 'Где је станица?'), ('sr-Cyrl', 'Где је станица?'), ('sr-Cyrl', 'Отвори датотеку'),
                ('sr-Cyrl', 'Затвори прозор'), ('sr-Cyrl', 'Сними слику'), ('sr-Cyrl', 'Объект'),
                ('sr-Cyrl', 'OK'), ('ru', 'Где вокзал')])
            write('by_source/games.train.tsv', [('sr-Cyrl', 'Нови потез')])
            rows, drops = serbian_latin.build(d)
            self.assertEqual(rows, [('sr-Latn', 'Novi potez'), ('sr-Latn', 'Gde je stanica?')])
            self.assertEqual(drops['duplicate or already sr-Latn'], 2)
            self.assertEqual(drops['other label in train'], 1)
            self.assertEqual(drops['held-out'], 1)
            self.assertEqual(drops['not Serbian'], 1)
            self.assertEqual(drops['no Cyrillic'], 1)
            rows, _ = serbian_latin.build(d, exclude={'games'})
            self.assertEqual(rows, [('sr-Latn', 'Gde je stanica?')])


class EnglishLeftoverTest(unittest.TestCase):
    ENGLISH = ['You can open the file with the editor and then save it again.',
               'Use the menu to change the size of the image when it is open.']
    OTHERS = ['Otvorite datoteku u uređivaču i spremite je ponovno.',
              'Promijenite veličinu slike kada je otvorena u izborniku.',
              'Otvorite izbornik i odaberite sloj koji želite promijeniti.',
              'Ouvrez le fichier avec l’éditeur puis enregistrez-le.',
              '打开 AND 和 OR 运算符的文件']

    def setUp(self):
        # ten copies: counts large enough for the smoothing to matter little
        self.test = english_leftovers.EnglishByFrequency(self.ENGLISH * 10, self.OTHERS * 10)

    def test_english_help_line_is_found(self):
        # a leftover the word-set test misses: one function word in six
        line = 'or by using the keyboard shortcut Shift+Ctrl+T.'
        self.assertFalse(english_leftovers.is_english_leftover(line))
        self.assertTrue(self.test.is_english('Open the image with the editor.'))

    def test_own_language_and_short_lines_are_kept(self):
        self.assertFalse(self.test.is_english('Otvorite sliku u uređivaču.'))
        self.assertFalse(self.test.is_english('Otvorite the sloj'))     # mostly Croatian
        self.assertFalse(self.test.is_english('the image'))             # too short
        self.assertFalse(self.test.is_english('打开 AND 和 OR 运算符的文件和'))  # mostly Han

    def test_unseen_words_score_zero(self):
        self.assertEqual(self.test.log_ratio('qwzx'), 0.0)
        self.assertGreater(self.test.log_ratio('the'), 2.0)
        self.assertLess(self.test.log_ratio('otvorite'), 0.0)


class FortunesTest(unittest.TestCase):
    """fortunes-<ll>: the file is read, not its '.u8' twin (a link or empty)."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = os.path.join(self.tmp.name, 'usr', 'share', 'games', 'fortunes', 'de')
        os.makedirs(self.dir)
        self.fortunes = prepare.FORTUNES
        prepare.FORTUNES = 'all'

    def tearDown(self):
        prepare.FORTUNES = self.fortunes
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)
        return path

    def classify(self, name, pkg='fortunes-de'):
        return prepare.classify(pkg, 'usr/share/games/fortunes/de/' + name, os.path.join(self.dir, name))

    def test_file_with_linked_twin_is_read(self):
        path = self.write('witze', 'Wer anderen eine Grube gräbt,\nfällt selbst hinein.\n%\nÜbung macht den Meister.\n')
        os.symlink('witze', path + '.u8')
        doc = self.classify('witze')
        self.assertEqual((doc.source, doc.base), ('fortunes', 'de'))
        self.assertEqual(doc.loader(path), ['Wer anderen eine Grube gräbt, fällt selbst hinein.',
                                            'Übung macht den Meister.'])
        self.assertIsNone(self.classify('witze.u8'))

    def test_empty_twin_is_not_read(self):
        path = self.write('irc', 'Dzień dobry.\n')
        self.write('irc.u8', '')
        self.assertEqual(self.classify('irc').loader(path), ['Dzień dobry.'])
        self.assertIsNone(self.classify('irc.u8'))

    def test_legacy_file_falls_back_to_a_real_twin(self):
        path = os.path.join(self.dir, 'alt')
        with open(path, 'wb') as f:
            f.write('Gr\u00fc\u00dfe\n'.encode('latin-1'))
        self.write('alt.u8', 'Grüße\n')
        self.assertEqual(self.classify('alt').loader(path), ['Grüße'])

    def test_ansi_colours_and_cjk_line_breaks(self):
        path = self.write('chinese', '\x1b[33m要有礼貌\x1b[m\n很难避免\n遇到 Debian\n')
        self.assertEqual(prepare.fortune_paragraphs(path), ['要有礼貌很难避免遇到 Debian'])

    def test_default_keeps_the_shipped_models_rule(self):
        path = self.write('witze', 'Übung macht den Meister.\n')
        os.symlink('witze', path + '.u8')
        prepare.FORTUNES = 'en-pt'
        self.assertIsNone(self.classify('witze'))

    def test_not_prose_is_skipped(self):
        self.write('asciiart', '  /\\_/\\\n ( o.o )\n')
        self.assertIsNone(self.classify('asciiart'))


class EvalTest(unittest.TestCase):
    def test_ftl(self):
        text = ('# comment\nhello = Bonjour { $name }\n-brand-short-name = Firefox\n'
                'welcome = Bienvenue dans { -brand-short-name }\nbtn =\n    .label = Plus tard\n'
                'n = { $n ->\n    [one] un\n   *[other] plusieurs\n}\n')
        self.assertEqual(make_eval.ftl_strings(text),
                         ['Bonjour  ', 'Bienvenue dans Firefox', 'Plus tard'])


if __name__ == '__main__':
    unittest.main()
