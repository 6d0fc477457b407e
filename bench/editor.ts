/**
 * Surgical editor timings on a generated ~150 000-character document (the size the similarity tier must stay
 * well under a second for). Run: node --import tsx bench/editor.ts   Results: bench/editor.md
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import {
  applyEditCall,
  parseEditCall,
  protectDataUris,
  validateEdit,
  type EditOutcome,
} from "../src/ai/editor/index.js";

const RUNS = 7;
const WORDS =
  "harbour market library council budget winter roadworks volunteers concert ferry station residents bakery garden recycling schedule opening closing weekend evening morning community project funding survey results meeting planning".split(
    " ",
  );

/** Deterministic pseudo-random generator, so every run measures the same document. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

function sentence(next: () => number, words: number): string {
  const picked = Array.from({ length: words }, () => WORDS[Math.floor(next() * WORDS.length)] ?? "news");
  const text = picked.join(" ");
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

function buildDocument(targetLength: number): string {
  const next = random(42);
  const cards: string[] = [];
  let length = 0;
  for (let index = 1; length < targetLength; index++) {
    const card = [
      `  <div class="card" id="card-${index}">`,
      `    <h2>${sentence(next, 4)}</h2>`,
      `    <p class="meta">Section ${index % 7} · ${1 + (index % 5)} minute read</p>`,
      `    <p>${sentence(next, 14)} ${sentence(next, 12)}</p>`,
      `    <p>${sentence(next, 16)}</p>`,
      `    <a class="more" href="#card-${index}">Read more</a>`,
      `  </div>`,
    ].join("\n");
    cards.push(card);
    length += card.length + 1;
  }
  return `<!DOCTYPE html>\n<html>\n<head>\n<style>.card{padding:1rem}</style>\n</head>\n<body>\n${cards.join("\n")}\n</body>\n</html>\n`;
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Median wall-clock and CPU milliseconds of RUNS runs (CPU time is what a busy machine inflates least). */
function time(run: () => unknown): { wall: number; cpu: number } {
  const samples = Array.from({ length: RUNS }, () => {
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    run();
    const cpu = process.cpuUsage(cpuBefore);
    return { wall: performance.now() - start, cpu: (cpu.user + cpu.system) / 1000 };
  });
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

function cells(timing: { wall: number; cpu: number }): string[] {
  return [timing.wall.toFixed(1), timing.cpu.toFixed(1)];
}

/** A quote of `length` characters from a card start near 90% of the document. */
function quoteNearEnd(html: string, length: number): string {
  const start = html.indexOf('<div class="card"', Math.floor(html.length * 0.9) - length);
  return html.slice(start, start + length);
}

function typo(text: string, edits: number): string {
  let result = text;
  for (let i = 1; i <= edits; i++) {
    const at = Math.floor((result.length * i) / (edits + 1));
    result = result.slice(0, at) + (result[at] === "x" ? "y" : "x") + result.slice(at + 1);
  }
  return result;
}

function describe(outcome: EditOutcome): string {
  if (!outcome.ok) return outcome.reason;
  return outcome.similarity === undefined
    ? outcome.match
    : `${outcome.match} ${outcome.similarity.toFixed(3)}`;
}

const html = buildDocument(150_000);
const rows: string[][] = [];

function measure(label: string, oldText: string): void {
  const call = parseEditCall("html_replace", { old_text: oldText, new_text: "<p>replaced</p>" });
  const outcome = applyEditCall(html, call);
  rows.push([
    label,
    String(oldText.length),
    describe(outcome),
    ...cells(time(() => applyEditCall(html, call))),
  ]);
}

for (const length of [80, 300, 500, 1000, 2000]) {
  const quote = quoteNearEnd(html, length);
  measure(`exact, ${length}-char quote`, quote);
  measure(
    `whitespace (reflowed), ${length}-char quote`,
    quote.replace(/\n\s*/g, " ").replace(/> </g, ">\n<"),
  );
  measure(
    `similarity (${Math.ceil(length / 40)} typos), ${length}-char quote`,
    typo(quote, Math.ceil(length / 40)),
  );
}
measure(
  "similarity ambiguous (repeated 'Read more' card tail + typo)",
  '<a class="more" href="#card-">Read mroe</a>\n  </div>',
);
measure("not found (unrelated 300-char text)", sentence(random(7), 45).slice(0, 300));

const image = `data:image/png;base64,${Buffer.alloc(750_000, 7).toString("base64")}`;
const withImage = html.replace("<body>", `<body>\n<img src="${image}" alt="hero">`);
const protectedHtml = protectDataUris(withImage);
const edited = protectedHtml.html.replace('<p class="meta">Section 1', '<p class="meta">Part 1');

const extra = [
  ["protectDataUris (150 KB + 1 MB image)", ...cells(time(() => protectDataUris(withImage)))],
  ["restore (same document)", ...cells(time(() => protectedHtml.restore(edited)))],
  ["validateEdit (150 KB)", ...cells(time(() => validateEdit(html, html.replace("Section 1", "Part 1"))))],
];

console.log(
  `document: ${html.length} characters; with image ${withImage.length}, protected ${protectedHtml.html.length}`,
);
console.log(
  `median of ${RUNS} runs, Node ${process.version}, load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} CPUs\n`,
);
console.log("| call | quote chars | result | wall ms | CPU ms |\n| --- | ---: | --- | ---: | ---: |");
for (const row of rows) console.log(`| ${row.join(" | ")} |`);
console.log("\n| operation | wall ms | CPU ms |\n| --- | ---: | ---: |");
for (const row of extra) console.log(`| ${row.join(" | ")} |`);
