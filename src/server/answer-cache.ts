import type { Db } from "../db/open.js";

/** Enough for every user's report of a day; at the bound the cache starts again (reports are cheap to rebuild). */
const MAX_ANSWERS = 256;

/**
 * Serialised answers kept while the database has not changed. The server's connection is the only writer of the
 * tables these answers read (the cost ledger and its rollup), and SQLite's total_changes() counts every row that
 * connection inserted, updated or deleted, in well under a microsecond: when it moves, every answer is dropped.
 */
export function answerCache(db: Db): (key: string, compute: () => string) => string {
  const changes = db.prepare("SELECT total_changes()").pluck();
  const answers = new Map<string, string>();
  let seenChanges: unknown;
  return (key, compute) => {
    const current = changes.get();
    if (current !== seenChanges) {
      answers.clear();
      seenChanges = current;
    }
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = compute();
      if (answers.size >= MAX_ANSWERS) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}
