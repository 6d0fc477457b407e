import type { Db } from "../db/open.js";
import { insertLedgerEntry, type CallStatus, type Provider, type TokenUsage } from "../db/repo/ledger.js";
import type { PlannedCall } from "./budget/estimate.js";
import { BudgetExceededError, type SpendGuard } from "./budget/guard.js";
import { costNanoUsd, priceTable, type Pricing } from "./pricing.js";

/** One billed provider call as the provider reported it. */
export interface BilledCall {
  provider: Provider;
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

/** Ends a started call: releases its reservation once its real cost is in the ledger (or it made none). */
export type EndCall = (status: CallStatus, error?: unknown) => void;

export interface CostRecorder {
  /** Before a call: holds its worst case against the spend caps (throws BudgetExceededError when refused). */
  reserve(call: PlannedCall): EndCall;
  /** Writes one ledger row and returns its cost in nano-USD. */
  record(call: BilledCall): number;
  /** Sum of the rows this recorder wrote: the turn's cost. */
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
      return (status, error) => {
        release();
        hooks.observer?.callEnded(call, status, error);
      };
    },
    record(call) {
      const table = priceTable(pricing, call.model);
      const cost = costNanoUsd(table, call.usage, call.promptTokens);
      insertLedgerEntry(db, {
        ...call.usage,
        user: owner.user,
        sessionId: owner.sessionId,
        provider: call.provider,
        model: call.model,
        requestId: call.requestId,
        costNanoUsd: cost,
        priceVersion: pricing.version,
        status: call.status,
      });
      total += cost;
      hooks.observer?.billed(call.model, cost);
      return cost;
    },
    totalNanoUsd: () => total,
  };
}
