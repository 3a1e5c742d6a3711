// summarize.mjs RUN1.json RUN2.json ...: the harness's JSON output of
// several runs -> per peer: accuracy, texts/s (median over runs) and how
// many times faster ffnlp is (ratio within each run: median, min-max), and
// the same against whichever peer was fastest in each run.
import { readFileSync } from 'node:fs';

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')));
if (runs.length === 0) {
  console.error('usage: node summarize.mjs RUN.json...');
  process.exit(2);
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x) => Math.round(x).toLocaleString('en-US');
const names = runs[0].peers.map((p) => p.name);
const first = runs[0];
console.log(`eval: ${first.eval.file ?? ''} ${first.eval.texts ?? first.peers[0].n} texts; ${runs.length} runs; ` +
  `${first.machine.cores} cores, ${first.machine.cpu}, node ${first.machine.node}`);
console.log('');
console.log('| peer | accuracy | acc (supported) | texts/s (median of runs) | ffnlp / peer: median | min-max |');
console.log('|:--|--:|--:|--:|--:|--:|');
for (const name of names) {
  const per = runs.map((r) => r.peers.find((p) => p.name === name)).filter(Boolean);
  const ours = runs.map((r) => r.peers.find((p) => p.name === 'ffnlp').textsPerSec);
  const ratios = runs.map((r, i) => ours[i] / r.peers.find((p) => p.name === name).textsPerSec);
  const acc = (x) => `${(100 * x).toFixed(1)}%`;
  console.log(`| ${name} | ${acc(per[0].accuracy)} | ${acc(per[0].accuracySupported)} | ` +
    `${fmt(median(per.map((p) => p.textsPerSec)))} | ${name === 'ffnlp' ? '-' : median(ratios).toFixed(1) + 'x'} | ` +
    `${name === 'ffnlp' ? '-' : Math.min(...ratios).toFixed(1) + '-' + Math.max(...ratios).toFixed(1) + 'x'} |`);
}

// Against the fastest other peer of each run (which one may change from run to run).
const best = runs.map((r) => {
  const others = r.peers.filter((p) => p.name !== 'ffnlp' && p.textsPerSec);
  const top = others.reduce((a, b) => (b.textsPerSec > a.textsPerSec ? b : a));
  return { name: top.name, ratio: r.peers.find((p) => p.name === 'ffnlp').textsPerSec / top.textsPerSec };
});
const ratios = best.map((b) => b.ratio);
console.log('');
console.log(`ffnlp / fastest peer of each run: ${median(ratios).toFixed(1)}x median, ` +
  `${Math.min(...ratios).toFixed(1)}-${Math.max(...ratios).toFixed(1)}x (fastest: ${best.map((b) => b.name).join(', ')})`);
