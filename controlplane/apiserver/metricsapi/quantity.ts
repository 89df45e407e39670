/**
 * Quantities as metrics-server writes them. CPU is a scaled quantity of
 * nanocores and memory a BinarySI count of bytes; both in apimachinery's
 * canonical form, so the usual answers read `329087452n` and `2748180Ki`
 * (kubectl top turns them into millicores, rounded up, and Mi).
 */

const DECIMAL_SUFFIXES: readonly [bigint, string][] = [
  [10n ** 18n, 'E'],
  [10n ** 15n, 'P'],
  [10n ** 12n, 'T'],
  [10n ** 9n, 'G'],
  [10n ** 6n, 'M'],
  [10n ** 3n, 'k'],
];

const BINARY_SUFFIXES: readonly [bigint, string][] = [
  [1n << 60n, 'Ei'],
  [1n << 50n, 'Pi'],
  [1n << 40n, 'Ti'],
  [1n << 30n, 'Gi'],
  [1n << 20n, 'Mi'],
  [1n << 10n, 'Ki'],
];

function toBig(n: number): bigint {
  return BigInt(Math.max(0, Math.round(Number.isFinite(n) ? n : 0)));
}

/** A whole, non-negative count in DecimalSI canonical form: 1000 → "1k", 1500 → "1500". */
function decimalCanonical(v: bigint): string {
  if (v === 0n) return '0';
  for (const [mult, suffix] of DECIMAL_SUFFIXES) if (v % mult === 0n) return `${v / mult}${suffix}`;
  return `${v}`;
}

/** CPU usage given in nanocores: "123456789n", "250m", "2", "1500u". */
export function formatCPU(nanoCores: number): string {
  const n = toBig(nanoCores);
  if (n === 0n) return '0';
  if (n % 1_000_000_000n === 0n) return decimalCanonical(n / 1_000_000_000n);
  if (n % 1_000_000n === 0n) return `${n / 1_000_000n}m`;
  if (n % 1_000n === 0n) return `${n / 1_000n}u`;
  return `${n}n`;
}

/** Memory in bytes: "2748180Ki", "64Mi", "1000500"; below 1024 the decimal form ("1k", "512"). */
export function formatMemory(bytes: number): string {
  const v = toBig(bytes);
  if (v < 1024n) return decimalCanonical(v);
  for (const [mult, suffix] of BINARY_SUFFIXES) if (v % mult === 0n) return `${v / mult}${suffix}`;
  return `${v}`;
}
