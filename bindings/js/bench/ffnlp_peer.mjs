// ffnlp as a peer of the language-identification harness (its adapter
// shape: load() -> { detect(text) -> code, languages }), measured in-process
// and single-threaded like the JavaScript peers. bench.sh installs the npm
// tarball into a copy of the harness and registers this adapter there.
export const ffnlp = {
  pkg: 'ffnlp',
  default: true,
  about: 'ffnlp: the C++ runtime and its 453-language model (395 KB) in WebAssembly, npm tarball of bindings/js',
  scheme: 'ISO 639-1 where one exists, else 639-3; script subtags (sr-Latn); und',
  confidence: 'softmax probability + is_reliable',
  modelFiles: ['ffnlp/ffnlp.wasm', 'ffnlp/langid.ffm', 'ffnlp/core.js', 'ffnlp/index.js'],
  async load() {
    const { detect, languages } = await import('ffnlp');
    return { detect: (t) => detect(t).language, languages: languages.map((l) => l.code) };
  },
};
