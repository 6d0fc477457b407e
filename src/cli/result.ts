import type { ExitCodeValue } from "../errors.js";

export interface CommandResult {
  exitCode: ExitCodeValue;
}
