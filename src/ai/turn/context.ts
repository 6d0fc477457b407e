import type { Config } from "../../config/schema.js";
import type { CostRecorder } from "../ledger.js";
import type { ProviderClients } from "../providers/index.js";
import type { RetryPolicy } from "../providers/retry.js";
import type { TurnBrand } from "./brand.js";
import type { TurnAttachment } from "./attachments.js";
import type { EmitEvent } from "./events.js";

/** Everything a turn flow needs from the outside world, handed in so the flows stay free of globals. */
export interface FlowContext {
  clients: ProviderClients;
  config: Pick<Config, "CLAUDE_MODEL" | "MAX_CLAUDE_ITERATIONS" | "MAX_HTML_CONTEXT_LENGTH">;
  recorder: CostRecorder;
  retry: RetryPolicy;
  signal: AbortSignal;
  emit: EmitEvent;
  /** The session's brand profile, which every prompt of the turn carries. */
  brand: TurnBrand;
  /** Files sent with the turn; create and edit give each its own content block. */
  attachments: readonly TurnAttachment[];
}

export interface FlowResult {
  /** The new document, or undefined when the model chose to change nothing. */
  html: string | undefined;
  summary: string;
  model: string;
}
