export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorReport {
  /** False when any check failed; warnings and skips do not fail. */
  ok: boolean;
  checks: CheckResult[];
}

export function result(name: string, status: CheckStatus, detail: string): CheckResult {
  return { name, status, detail };
}
