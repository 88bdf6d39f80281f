import { controlErrorCodes, type ControlErrorCode } from '../../errors/codes.js';

export interface AdminResponse {
  status: number;
  body: unknown;
}

/** An admin API error: the status comes from the registry, the message is written per call. */
export function adminError(code: ControlErrorCode, message: string): AdminResponse {
  return { status: controlErrorCodes[code].status, body: { error: { code, message } } };
}
