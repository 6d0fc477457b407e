export type LogLevel = "debug" | "info" | "warn" | "error";

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** Hands every buffered line to the OS (before exit; tests). */
  flush(): void;
}

export interface LoggerOptions {
  level: LogLevel;
  redact: (text: string) => string;
  /** Where lines go; stdout through a batching buffer when absent. */
  write?: (line: string) => void;
}

/** One JSON object per line; the redactor runs over the serialised line, so no field can leak a secret. */
export function createJsonLogger(options: LoggerOptions): Logger {
  const output = options.write ? { write: options.write, flush: () => {} } : batchedWriter(process.stdout);
  const threshold = levelRank[options.level];
  const log =
    (level: LogLevel) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      if (levelRank[level] < threshold) return;
      const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, errorReplacer);
      output.write(`${options.redact(line)}\n`);
    };
  return {
    debug: log("debug"),
    info: log("info"),
    warn: log("warn"),
    error: log("error"),
    flush: output.flush,
  };
}

/** Lines written in one turn of the event loop leave in one write (one syscall) instead of one each. */
const FLUSH_AT_CHARS = 64 * 1024;

export function batchedWriter(stream: Pick<NodeJS.WritableStream, "write">): {
  write(line: string): void;
  flush(): void;
} {
  let pending: string[] = [];
  let chars = 0;
  let scheduled: NodeJS.Immediate | undefined;
  const flush = () => {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (pending.length === 0) return;
    const text = pending.join("");
    pending = [];
    chars = 0;
    stream.write(text);
  };
  // stdout to a pipe or file is written synchronously, so flushing here loses nothing at exit.
  process.once("exit", flush);
  return {
    write(line) {
      pending.push(line);
      chars += line.length;
      if (chars >= FLUSH_AT_CHARS) flush();
      else scheduled ??= setImmediate(flush);
    },
    flush,
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}
