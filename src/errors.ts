/** Documented exit codes; test/foundation/cli.test.ts checks that the README table lists each one. */
export const ExitCode = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  UNHEALTHY: 3,
  BUDGET_EXCEEDED: 4,
  NOT_FOUND: 5,
  DEPLOY_ROLLED_BACK: 10,
  BUILD_FAILED: 11,
  LOCKED: 12,
  PREFLIGHT_FAILED: 13,
  ANTHROPIC_KEY_FAILED: 20,
  GOOGLE_KEY_FAILED: 21,
  BOTH_KEYS_FAILED: 22,
  VERIFICATION_FAILED: 65,
  ENGINE_UNAVAILABLE: 69,
  DOCKER_API_FAILED: 70,
  DISK_FULL: 74,
  PERMISSION_DENIED: 77,
  CONFIG_INVALID: 78,
  HANGUP: 129,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const exitCodeMeanings: Record<ExitCodeValue, string> = {
  0: "success",
  1: "unexpected internal error (a bug: rerun with --verbose and report the stack)",
  2: "usage error: unknown command, bad flag or argument",
  3: "unhealthy: the service or a check is not healthy",
  4: "cost budget exceeded for the period (ahb costs --budget)",
  5: "not found: a named backup, version, session or container does not exist",
  10: "deploy failed and was rolled back: the previous version is serving",
  11: "image build failed: nothing was swapped",
  12: "another deploy/cleanup holds the lock",
  13: "preflight failed (a port in use, disk or permissions): nothing was changed",
  20: "Anthropic key failed its check (ahb keys check: missing, malformed or refused)",
  21: "Google key failed its check (ahb keys check: missing, malformed or refused)",
  22: "both provider keys failed their checks (ahb keys check)",
  65: "verification failed: a backup or database did not pass its integrity, row-count or checksum check",
  69: "Docker engine unreachable",
  70: "the Docker engine refused a request (its message is printed)",
  74: "disk full: the named path has no space left",
  77: "permission denied: the named path cannot be read or written by this user",
  78: "configuration invalid (env file or variables)",
  129: "stopped by SIGHUP (after finishing the step that was under way; see docs/operations-recovery.md)",
  130: "stopped by SIGINT / Ctrl-C (after finishing the step that was under way)",
  143: "stopped by SIGTERM (after finishing the step that was under way)",
};

/**
 * A failure with an HTTP meaning (status, stable code, a message safe to show the user). Domain code throws it; the
 * server's one error handler answers it, so no route catches domain errors of its own.
 */
export class HttpMappedError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers?: Record<string, string>;

  constructor(status: number, code: string, message: string, headers?: Record<string, string>) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** An expected failure: printed as one line, exits with its documented code, no stack unless --verbose. */
export class UserError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly details: readonly string[];

  constructor(
    message: string,
    exitCode: ExitCodeValue = ExitCode.USAGE,
    details: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "UserError";
    this.exitCode = exitCode;
    this.details = details;
  }
}

const DISK_FULL_CODES = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);
const PERMISSION_CODES = new Set(["EACCES", "EPERM", "EROFS"]);

/** ENOSPC, EDQUOT or SQLite's SQLITE_FULL: the device has no room left. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" && DISK_FULL_CODES.has(code);
}

/**
 * A file system failure as the documented exit code: no space left (74) or permission denied (77), naming the
 * path (the one the system call reported, else `path`). Undefined for anything else, which stays a bug.
 */
export function fileSystemError(error: unknown, path: string): UserError | undefined {
  const { code, path: failedPath } = (error ?? {}) as { code?: unknown; path?: unknown };
  if (typeof code !== "string") return undefined;
  const where = typeof failedPath === "string" ? failedPath : path;
  if (DISK_FULL_CODES.has(code)) {
    return new UserError(`no space left on the device holding ${where} (${code})`, ExitCode.DISK_FULL, [], {
      cause: error,
    });
  }
  if (PERMISSION_CODES.has(code)) {
    return new UserError(`permission denied: ${where} (${code})`, ExitCode.PERMISSION_DENIED, [], {
      cause: error,
    });
  }
  return undefined;
}
