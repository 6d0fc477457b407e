export interface Remembered<Args extends (string | number)[], Value> {
  (...args: Args): Value;
  /** Forgets every kept answer (a cache whose answers expire together, such as a day's). */
  clear(): void;
}

/**
 * `compute` with its answers kept by argument values. Past `bound` kept answers the store starts again, so keys a
 * client chooses (a peer address, a query value) cannot grow it without end. An answer `compute` throws for is
 * never kept.
 */
export function remembered<Args extends (string | number)[], Value>(
  compute: (...args: Args) => Value,
  bound: number,
): Remembered<Args, Value> {
  const known = new Map<string, Value>();
  const lookup = (...args: Args): Value => {
    const key = args.length === 1 ? String(args[0]) : args.join("\u0000");
    let value = known.get(key);
    if (value === undefined) {
      value = compute(...args);
      if (known.size >= bound) known.clear();
      known.set(key, value);
    }
    return value;
  };
  return Object.assign(lookup, { clear: () => known.clear() });
}
