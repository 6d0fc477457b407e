/** Cores report what they do through this callback; the command decides how (and whether) to print it. */
export type ProgressLevel = "step" | "info" | "success" | "warn" | "detail";

export interface ProgressEvent {
  level: ProgressLevel;
  message: string;
}

export type Progress = (event: ProgressEvent) => void;
