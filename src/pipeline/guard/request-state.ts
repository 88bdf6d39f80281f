import type { PseudonymVault } from '../../detect/pii/index.js';
import type { GuardPolicy } from './policy.js';
import type { TextSlot } from './slots.js';

/** What the guard knows about one request (`ctx.guard`), shared by its input and output stages. */
export interface GuardRequestState {
  readonly policy: GuardPolicy;
  /** Minted by the PII stage; the output guard restores from it. */
  vault: PseudonymVault | undefined;
  /** The text slots of the current body, cached until a stage restructures it. */
  slots: TextSlot[] | undefined;
  /** SHA-256 digests of this request's texts for the verdict cache (verdict-cache.ts). */
  digests?: Map<string, string>;
}
