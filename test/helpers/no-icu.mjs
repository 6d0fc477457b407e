// Preloaded (node --import) into a CLI run whose start must not load ICU's locale data: the first
// toLocaleString() costs about 27 ms and the first localeCompare() about 13 ms, paid by every run of a short
// command. Each locale-aware function throws instead, naming itself, so a test sees which one a command reached.
const forbidden = [
  [Number.prototype, "toLocaleString"],
  [String.prototype, "localeCompare"],
  [Date.prototype, "toLocaleString"],
  [Date.prototype, "toLocaleDateString"],
  [Date.prototype, "toLocaleTimeString"],
  [Array.prototype, "toLocaleString"],
];
for (const [target, name] of forbidden) {
  Object.defineProperty(target, name, {
    value() {
      throw new Error(`${name}() loads ICU data at start-up`);
    },
  });
}
for (const name of ["NumberFormat", "DateTimeFormat", "Collator", "PluralRules", "ListFormat", "Segmenter"]) {
  Object.defineProperty(Intl, name, {
    value: function refused() {
      throw new Error(`Intl.${name} loads ICU data at start-up`);
    },
  });
}
