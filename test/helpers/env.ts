import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Format-valid keys that no provider would accept; tests assert these never appear in output. */
export const FAKE_ANTHROPIC_KEY = "sk-ant-api03-TESTKEY-abcdefghijklmnopqrstuvwxyz-0123456789";
export const FAKE_GOOGLE_KEY = "AIzaTESTKEYabcdefghijklmnopqrstuvwxy123";

export function tempDir(prefix = "ahb-test-", parent = tmpdir()): { path: string; remove(): void } {
  const path = mkdtempSync(join(parent, prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function writeEnvFile(path: string, values: Record<string, string>, mode = 0o600): string {
  const text = Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join("\n");
  writeFileSync(path, `${text}\n`, { mode });
  chmodSync(path, mode);
  return path;
}

export function validKeys(): Record<string, string> {
  return { ANTHROPIC_API_KEY: FAKE_ANTHROPIC_KEY, GOOGLE_API_KEY: FAKE_GOOGLE_KEY };
}
