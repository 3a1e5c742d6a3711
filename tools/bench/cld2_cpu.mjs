// CPU time of CLD2 (the native binding of npm "cld", called synchronously
// as the peers harness calls it) over the lines of a file: one untimed
// pass, then `passes` timed passes; prints JSON {texts, cpu_seconds}.
// usage: node cld2_cpu.mjs PEERS_DIR LINES_FILE PASSES
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [peersDir, linesFile, passesArg] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(peersDir), 'package.json'));
const binding = require('cld/build/Release/cld.node');
const texts = readFileSync(linesFile, 'utf8').split('\n').filter((t) => t.length > 0);
const passes = Number(passesArg);
let sink = 0;
const detect = (t) => {
  const r = binding.detect(t, true, '', '', '', '', true);
  sink += r.languages.length;
};
for (const t of texts) detect(t);
const before = process.cpuUsage();
for (let p = 0; p < passes; ++p) for (const t of texts) detect(t);
const used = process.cpuUsage(before);
console.log(JSON.stringify({ texts: texts.length * passes, cpu_seconds: (used.user + used.system) / 1e6, sink }));
