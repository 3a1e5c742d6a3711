// The demo page: everything runs here, in the page's WebAssembly module.
const $ = (id) => document.getElementById(id);
let ffnlp;
try {
  ffnlp = await import('./ffnlp/index.js');
} catch (e) {
  $('status').textContent = `Could not load the model: ${e.message}`;
  throw e;
}
const { detectTop, spans, runtimeVersion } = ffnlp;
const text = $('text');
const COLOURS = ['#ffe08a', '#bde3ff', '#c9f2c7', '#f7c9e3', '#e2d4ff', '#ffd3b5', '#c7f0ec'];
const percent = (p) => `${(100 * p).toFixed(1)}%`;

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function showAnswer(value) {
  const top = detectTop(value, 3);
  const best = top[0];
  $('name').textContent = value.trim() ? best.name || best.language : '—';
  $('language').textContent = value.trim() ? best.language : '';
  $('probability').textContent = value.trim() ? percent(best.probability) : '—';
  const reliable = $('reliable');
  reliable.dataset.reliable = value.trim() ? String(best.isReliable) : '';
  reliable.textContent = value.trim() ? (best.isReliable ? 'reliable' : 'not reliable') : '—';
  $('top3').replaceChildren(...(value.trim() ? top : []).map((r) => el('li', { title: r.language },
    el('span', { textContent: `${r.name || r.language} (${r.language})` }),
    el('span', { className: 'bar' }, el('span', { className: 'fill', style: `width:${100 * r.probability}%` })),
    el('span', { className: 'pct', textContent: percent(r.probability) }))));
  for (const [i, li] of [...$('top3').children].entries()) li.dataset.language = top[i].language;
}

function showSpans(value) {
  const parts = [];
  const colour = new Map();
  let at = 0;
  for (const s of spans(value)) {
    if (s.start > at) parts.push(value.slice(at, s.start));
    if (!colour.has(s.language)) colour.set(s.language, { colour: COLOURS[colour.size % COLOURS.length], name: s.name });
    parts.push(el('mark', {
      textContent: s.text, title: `${s.name} (${s.language}) ${percent(s.probability)}`,
      style: `background:${colour.get(s.language).colour}`,
    }));
    parts.at(-1).dataset.language = s.language;
    at = s.end;
  }
  if (at < value.length) parts.push(value.slice(at));
  $('spans').replaceChildren(...parts);
  $('legend').replaceChildren(...[...colour].map(([code, { colour: c, name }]) =>
    el('li', {}, el('i', { style: `background:${c}` }), `${name} (${code})`)));
}

let pending = false;
function update() {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    const started = performance.now();
    showAnswer(text.value);
    showSpans(text.value);
    $('status').textContent = `On-device, ffnlp ${runtimeVersion} in WebAssembly: ` +
      `${(performance.now() - started).toFixed(1)} ms for this text.`;
  });
}

text.addEventListener('input', update);
for (const button of document.querySelectorAll('[data-example]')) {
  button.addEventListener('click', () => {
    text.value = button.dataset.example;
    text.focus();
    update();
  });
}
update();
document.body.dataset.ready = 'true';
