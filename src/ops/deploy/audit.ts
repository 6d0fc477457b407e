import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as z from "zod";

const AUDIT_FILE = "deploys.jsonl";

export const auditEntrySchema = z.object({
  time: z.string(),
  action: z.enum(["deploy", "rollback", "restart"]),
  operator: z.string(),
  host: z.string(),
  container: z.string(),
  version: z.string().nullable(),
  imageId: z.string().nullable(),
  previousVersion: z.string().nullable(),
  result: z.enum(["ok", "rolled-back", "build-failed", "failed", "interrupted"]),
  message: z.string().nullable(),
  durationsMs: z.record(z.string(), z.number()),
  downtimeMs: z.number().nullable(),
});

export type AuditEntry = z.infer<typeof auditEntrySchema>;

export function auditPath(stateDir: string): string {
  return join(stateDir, AUDIT_FILE);
}

/** One line per append with O_APPEND: concurrent writers cannot interleave inside a line. */
export function appendAudit(stateDir: string, entry: AuditEntry): void {
  mkdirSync(stateDir, { recursive: true });
  appendFileSync(auditPath(stateDir), `${JSON.stringify(auditEntrySchema.parse(entry))}\n`, { mode: 0o640 });
}

/** Oldest first; a line that does not parse (a torn write from a crash) is skipped, not fatal. */
export function readAudit(stateDir: string): AuditEntry[] {
  const path = auditPath(stateDir);
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      try {
        const parsed = auditEntrySchema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
}
