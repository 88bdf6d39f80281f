import { parseFaults, type MockFault } from './faults.js';

/** One request the mock provider received (control-endpoint calls are not recorded). */
export interface MockReceived {
  method: string;
  /** Path as sent, query string included. */
  path: string;
  headers: Record<string, string>;
  /** Parsed JSON, or the raw string if it is not JSON, or null when there was no body. */
  body: unknown;
  /** The body as it arrived (UTF-8): what a parse hides, such as a repeated key, shows here. */
  text: string;
}

export interface ControlDeps {
  faults: MockFault[];
  received: MockReceived[];
}

export interface ControlResult {
  status: number;
  body?: unknown;
}

function problem(message: string): ControlResult {
  return {
    status: 400,
    body: { error: { message, type: 'invalid_request_error', param: null, code: null } },
  };
}

/**
 * The `/_mock/*` API, so a mock in another process (e.g. spawned by e2e tests) can be driven:
 * `POST /_mock/faults` (one fault or an array), `DELETE /_mock/faults`, `GET /_mock/requests`,
 * `DELETE /_mock/requests`.
 */
export function createControl(deps: ControlDeps) {
  return function control(method: string, path: string, bodyText: string): ControlResult {
    const route = `${method} ${path}`;
    switch (route) {
      case 'POST /_mock/faults': {
        let input: unknown;
        try {
          input = JSON.parse(bodyText);
        } catch {
          return problem('the body must be a JSON fault object or an array of them');
        }
        const parsed = parseFaults(input);
        if (!parsed.ok) return problem(parsed.problem);
        deps.faults.push(...parsed.faults);
        return { status: 200, body: { queued: deps.faults.length } };
      }
      case 'DELETE /_mock/faults':
        deps.faults.length = 0;
        return { status: 204 };
      case 'GET /_mock/requests':
        return { status: 200, body: deps.received };
      case 'DELETE /_mock/requests':
        deps.received.length = 0;
        return { status: 204 };
      default:
        return {
          status: 404,
          body: {
            error: {
              message: `Invalid URL (${route})`,
              type: 'invalid_request_error',
              param: null,
              code: null,
            },
          },
        };
    }
  };
}
