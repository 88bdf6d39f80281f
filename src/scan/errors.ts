/** An input the user gave the scanner (config file, baseline file) is unusable: exit 2. */
export class ScanConfigError extends Error {
  override readonly name = 'ScanConfigError';
}

export class BaselineError extends Error {
  override readonly name = 'BaselineError';
}
