/**
 * The engine answers a build with HTTP 200 and then streams JSON lines; a failed step is an `error`/`errorDetail`
 * line inside that stream, so the outcome is decided by reading every line, never by the status code.
 */
export type BuildEvent =
  | { kind: "step"; index: number; total: number; instruction: string }
  | { kind: "output"; text: string }
  | { kind: "error"; message: string }
  | { kind: "image"; id: string };

interface RawBuildLine {
  stream?: unknown;
  error?: unknown;
  errorDetail?: { message?: unknown };
  aux?: { ID?: unknown };
  status?: unknown;
}

const STEP = /^Step (\d+)\/(\d+) : (.*)$/;
const SUCCESSFULLY_BUILT = /^Successfully built ([0-9a-f]+)$/;

function streamEvents(text: string): BuildEvent[] {
  return text
    .split("\n")
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .map((line): BuildEvent => {
      const step = STEP.exec(line);
      if (step)
        return { kind: "step", index: Number(step[1]), total: Number(step[2]), instruction: step[3] ?? "" };
      const built = SUCCESSFULLY_BUILT.exec(line);
      if (built) return { kind: "image", id: built[1] ?? "" };
      return { kind: "output", text: line };
    });
}

/** One line of the build stream -> events; a line that is not JSON is reported as output, not dropped. */
export function parseBuildLine(line: string): BuildEvent[] {
  if (line.trim() === "") return [];
  let raw: RawBuildLine;
  try {
    raw = JSON.parse(line) as RawBuildLine;
  } catch {
    return [{ kind: "output", text: line }];
  }
  const events: BuildEvent[] = [];
  if (typeof raw.stream === "string") events.push(...streamEvents(raw.stream));
  if (typeof raw.status === "string") events.push({ kind: "output", text: raw.status });
  if (typeof raw.aux?.ID === "string") events.push({ kind: "image", id: raw.aux.ID });
  const message = raw.errorDetail?.message ?? raw.error;
  if (message !== undefined) events.push({ kind: "error", message: String(message).trim() });
  return events;
}

export interface BuildSummary {
  imageId?: string;
  lastStep?: { index: number; total: number; instruction: string };
  error?: string;
}

export function summarizeBuild(events: readonly BuildEvent[]): BuildSummary {
  const summary: BuildSummary = {};
  for (const event of events) {
    if (event.kind === "step") summary.lastStep = event;
    else if (event.kind === "image") summary.imageId = event.id;
    else if (event.kind === "error") summary.error ??= event.message;
  }
  return summary;
}

/** "build failed at step 3/5: RUN exit 3: The command ... returned a non-zero code: 3" */
export function buildFailureMessage(summary: BuildSummary): string {
  const cause = summary.error ?? "the engine reported no image id";
  if (!summary.lastStep) return `build failed before the first step: ${cause}`;
  const { index, total, instruction } = summary.lastStep;
  return `build failed at step ${index}/${total}: ${instruction}: ${cause}`;
}
