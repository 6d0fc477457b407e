/**
 * A strict reader of the Prometheus text exposition format (version 0.0.4), written from the format's
 * specification so the test does not trust prom-client to check its own output: every line is a HELP or TYPE
 * comment, a sample or empty; names and labels follow the grammar; every sample belongs to a declared family.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL = `[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\\\\n]|\\\\[\\\\"n])*"`;
const SAMPLE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL})(?:,${LABEL})*,?)?\\})? ([nN][aA][nN]|[+-][iI][nN][fF]|[-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)(?: -?[0-9]+)?$`,
);
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, string[]> = {
  histogram: ["_bucket", "_sum", "_count"],
  summary: ["_sum", "_count", ""],
};

export function parsePrometheusText(text: string): Sample[] {
  if (!text.endsWith("\n")) throw new Error("the exposition must end with a newline");
  const families = new Map<string, string>();
  const samples: Sample[] = [];
  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, index) => {
      const where = `line ${index + 1}: ${line}`;
      if (line === "") return; // the format ignores empty lines
      if (line.startsWith("# HELP ")) {
        if (!new RegExp(`^# HELP ${NAME} `).test(line)) throw new Error(`bad HELP, ${where}`);
        return;
      }
      if (line.startsWith("# TYPE ")) {
        const [, , name = "", type = ""] = line.split(" ");
        if (!new RegExp(`^${NAME}$`).test(name) || !TYPES.has(type)) throw new Error(`bad TYPE, ${where}`);
        if (families.has(name)) throw new Error(`family declared twice, ${where}`);
        families.set(name, type);
        return;
      }
      const match = SAMPLE.exec(line);
      if (!match) throw new Error(`not a sample, ${where}`);
      const name = match[1] as string;
      if (!familyOf(name, families)) throw new Error(`sample of an undeclared family, ${where}`);
      const labels: Record<string, string> = {};
      for (const pair of (match[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
        labels[pair[1] as string] = (pair[2] as string).replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1");
      }
      const raw = match[3] as string;
      samples.push({ name, labels, value: floatOf(raw) });
    });
  return samples;
}

/** Go's ParseFloat, which Prometheus uses, takes NaN and Inf in any case. */
function floatOf(raw: string): number {
  if (/^nan$/i.test(raw)) return NaN;
  if (/^[+-]inf$/i.test(raw)) return raw.startsWith("-") ? -Infinity : Infinity;
  return Number(raw);
}

function familyOf(name: string, families: Map<string, string>): string | undefined {
  if (families.has(name)) return name;
  for (const [family, type] of families) {
    if ((SUFFIXES[type] ?? []).some((suffix) => name === family + suffix)) return family;
  }
  return undefined;
}

/** The value of the one sample with this name and (at least) these labels. */
export function valueOf(
  samples: Sample[],
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value;
}
