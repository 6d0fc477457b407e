import type Database from "better-sqlite3";
import type { Db } from "./open.js";
import { remembered } from "../shared/remembered.js";

type Statement = Database.Statement<unknown[], unknown>;

/** Distinct SQL texts kept per connection; past it the cache starts again, so SQL built per call cannot grow it. */
export const MAX_CACHED_STATEMENTS = 500;

const caches = new WeakMap<Db, (sql: string) => Statement>();

/**
 * The connection's statement for `sql`, prepared on first use: preparing costs about 8 µs, running a prepared
 * statement about 2, and the repositories run the same few dozen texts on every request. A statement that returns
 * rows comes back in the default row mode, so a caller may chain .pluck() or .raw() without changing what the
 * next caller of the same text gets.
 */
export function statement(db: Db, sql: string): Statement {
  let prepared = caches.get(db);
  if (prepared === undefined) {
    prepared = remembered((text: string): Statement => db.prepare(text), MAX_CACHED_STATEMENTS);
    caches.set(db, prepared);
  }
  const found = prepared(sql);
  return found.reader ? found.raw(false).pluck(false).expand(false) : found;
}
