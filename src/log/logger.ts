import { destination, pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { scrubber } from './scrub.js';

export type { Logger };

/** Header and field names that carry credentials; pino replaces them wherever they appear. */
const REDACT_PATHS = [
  'authorization',
  'x-api-key',
  'api-key',
  'cookie',
  'proxy-authorization',
  '*.authorization',
  '*["x-api-key"]',
  '*["api-key"]',
  '*.cookie',
  '*["proxy-authorization"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
];

interface SerializedError {
  type: string;
  code?: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
}

/** Error serializer that scrubs messages and stacks along the whole `cause` chain. */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) return { type: typeof err, message: scrubber.scrub(String(err)) };
  const out: SerializedError = {
    type: err.name,
    message: scrubber.scrub(err.message),
  };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (err.stack !== undefined) out.stack = scrubber.scrub(err.stack);
  if (err.cause !== undefined && depth < 5) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

export interface LoggerOptions {
  level: string;
  /** Tests pass a stream to capture lines; production writes to stdout. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  return pino(
    {
      level: opts.level,
      base: { svc: 'bastion' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError, error: serializeError },
      formatters: { level: (label) => ({ level: label }) },
      hooks: {
        // pino uses `err.message` as the line's `msg` when none is given; scrub that too.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          const err = (first as { err?: unknown } | null)?.err;
          const msg =
            typeof first === 'string'
              ? first
              : typeof rest[0] === 'string'
                ? rest[0]
                : err instanceof Error
                  ? err.message
                  : undefined;
          if (typeof first === 'string') return method.apply(this, [scrubber.scrub(first)]);
          if (msg === undefined) return method.apply(this, [first as object]);
          return method.apply(this, [first as object, scrubber.scrub(msg)]);
        },
      },
      timestamp: stdTimeFunctions.isoTime,
    },
    opts.destination ?? destination({ fd: 1, sync: false }),
  );
}
