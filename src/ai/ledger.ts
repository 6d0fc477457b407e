import type { Db } from "../db/open.js";
import {
  dropPendingCall,
  finishCall,
  insertPendingCall,
  nameRequest,
  type CallStatus,
  type TokenUsage,
} from "../db/repo/ledger.js";
import type { PlannedCall } from "./budget/estimate.js";
import { BudgetExceededError, type SpendGuard } from "./budget/guard.js";
import { costNanoUsd, priceTable, type Pricing } from "./pricing.js";

/** One billed provider call as the provider reported it. */
export interface BilledCall {
  model: string;
  requestId: string | null;
  usage: TokenUsage;
  /** Gemini's promptTokenCount (incl. cached), which selects the long-context tier. */
  promptTokens?: number;
  status: CallStatus;
}

/** Sees every provider call end and every billed cost (the server's metrics). */
export interface CallObserver {
  callEnded(call: PlannedCall, status: CallStatus | "refused", error?: unknown): void;
  billed(model: string, costNanoUsd: number): void;
}

/** A provider call under way: its reservation is held and its ledger row is `pending`. */
export interface StartedCall {
  /** The provider answered: its request id goes on the pending row, so an interrupted call can be looked up. */
  answered(requestId: string): void;
  /** The usage the call reported: its row takes the outcome and cost, returned in nano-USD. */
  record(call: BilledCall): number;
  /** Releases the reservation; a call that recorded nothing (refused before it streamed) leaves no row. */
  end(status: CallStatus, error?: unknown): void;
}

export interface CostRecorder {
  /**
   * Before a call: holds its worst case against the spend caps (throws BudgetExceededError when refused) and
   * writes its pending ledger row.
   */
  reserve(call: PlannedCall): StartedCall;
  /** Sum of the rows this recorder finished: the turn's cost. */
  totalNanoUsd(): number;
}

export function createCostRecorder(
  db: Db,
  pricing: Pricing,
  owner: { user: string; sessionId: string | null },
  hooks: { guard?: SpendGuard; observer?: CallObserver } = {},
): CostRecorder {
  let total = 0;
  return {
    reserve(call) {
      let release: () => unknown = () => undefined;
      try {
        if (hooks.guard) release = hooks.guard.reserve(owner.user, call);
      } catch (error) {
        if (error instanceof BudgetExceededError) hooks.observer?.callEnded(call, "refused");
        throw error;
      }
      let rowId: number;
      try {
        rowId = insertPendingCall(db, {
          ...owner,
          provider: call.provider,
          model: call.model,
          priceVersion: pricing.version,
        });
      } catch (error) {
        release();
        throw error;
      }
      let recorded = false;
      return {
        answered(requestId) {
          nameRequest(db, rowId, requestId);
        },
        record(billed) {
          const cost = costNanoUsd(priceTable(pricing, billed.model), billed.usage, billed.promptTokens);
          finishCall(db, rowId, {
            ...billed.usage,
            requestId: billed.requestId,
            costNanoUsd: cost,
            status: billed.status,
          });
          recorded = true;
          total += cost;
          hooks.observer?.billed(billed.model, cost);
          return cost;
        },
        end(status, error) {
          try {
            if (!recorded) dropPendingCall(db, rowId);
          } finally {
            release();
            hooks.observer?.callEnded(call, status, error);
          }
        },
      };
    },
    totalNanoUsd: () => total,
  };
}
