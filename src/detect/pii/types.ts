export const BUILTIN_PII_TYPES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip', 'name'] as const;
export type BuiltinPiiType = (typeof BUILTIN_PII_TYPES)[number];

/** One personal value in a text: its kind and offsets (UTF-16, end exclusive), never the value. */
export interface PiiFinding {
  /** A built-in type, or the name of a custom rule from config. */
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

/** A detector appends its findings for `text` to `out`. Linear in `text.length`. */
export type PiiScan = (text: string, out: PiiFinding[]) => void;
