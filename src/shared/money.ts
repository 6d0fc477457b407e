const NANO_PER_CENT = 10_000_000;
const NANO_PER_TEN_THOUSANDTH = 100_000;

/**
 * Integer nano-USD as text, one rule for the CLI and the page: to the cent with thousands separators
 * ("$1,234.57"), except that a non-zero amount under a cent shows four decimals ("$0.0012"), so a single turn's
 * cost never reads as $0.00. Integer arithmetic, rounded half up, never a float sum.
 */
export function formatUsd(nano: number): string {
  const sign = nano < 0 ? "-" : "";
  const amount = Math.abs(nano);
  if (amount > 0 && amount < NANO_PER_CENT) {
    const units = Math.floor((amount + NANO_PER_TEN_THOUSANDTH / 2) / NANO_PER_TEN_THOUSANDTH);
    return units === 0 ? `${sign}<$0.0001` : `${sign}$0.${String(units).padStart(4, "0")}`;
  }
  const cents = Math.floor((amount + NANO_PER_CENT / 2) / NANO_PER_CENT);
  const dollars = groupThousands(Math.floor(cents / 100));
  return `${sign}$${dollars}.${String(cents % 100).padStart(2, "0")}`;
}

/** "1,234,567": en-US grouping without toLocaleString(), whose first call loads ICU data (27 ms of a CLI start). */
function groupThousands(whole: number): string {
  return String(whole).replace(/\B(?=(\d{3})+$)/g, ",");
}
