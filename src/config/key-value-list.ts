import { ExitCode, UserError } from "../errors.js";

/** "A=1,B=2" -> {A: "1", B: "2"}. */
export function parseKeyValueList(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const item of text.split(",")) {
    const trimmed = item.trim();
    if (trimmed === "") continue;
    const at = trimmed.indexOf("=");
    if (at <= 0)
      throw new UserError(`build argument "${trimmed}" is not NAME=value`, ExitCode.CONFIG_INVALID);
    result[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return result;
}
