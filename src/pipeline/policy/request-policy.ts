import type { BudgetRef } from '../../alerts/budget-alerts.js';
import type { BudgetCheck, RateCheck, SlotCheck } from '../../limits/types.js';
import type { LimitSubject } from '../../policy/model.js';
import type { Environment } from '../../store/types.js';

/** An end user: verified from a JWT, or named by an app through its own key. */
export interface EndUser {
  readonly id: string;
  readonly team: string | undefined;
  readonly tier: string | undefined;
  readonly source: 'jwt' | 'app';
  /**
   * What the audit row stores: absent, the id; null, nothing (an app-named id kept raw for
   * limits because no pseudonym key is configured).
   */
  readonly auditId?: string | null;
}

/** What authorize decided about a request; later policy stages and fallback read it. */
export interface RequestPolicy {
  readonly env: Environment;
  /** The JWT's user, or the end user the app named (header or OpenAI `user` field). */
  readonly user: EndUser | undefined;
  readonly team: string | undefined;
  readonly tier: string | undefined;
  /** Every party whose limits and budgets apply: key, user, team, environment, global. */
  readonly subjects: readonly LimitSubject[];
  readonly maxRequestCostMicroUsd: number | undefined;
  /**
   * Output tokens the request may produce after any clamp, over all its answers; undefined when
   * it set no bound.
   */
  readonly requestedOutputTokens: number | undefined;
  /** Answers requested (chat's `n`, else 1); an unset bound is reserved this many times. */
  readonly outputChoices: number;
  /** Counted once, by the first stage that needs it (token limits or budget). */
  promptTokens: number | undefined;
  /**
   * Rate windows and concurrency slots planned by their stages and not yet taken: the budget
   * stage takes them with its reservation in one backend call (`admission.ts`).
   */
  admission?: PendingAdmission | undefined;
  /**
   * May this caller use model M on provider P? Key and environment scopes plus provider kill
   * switches. Fallback asks before it switches to another model or provider.
   */
  mayUse(model: string, providerId: string): boolean;
}

export interface PlannedRate {
  readonly check: RateCheck;
  /** For the audit decision and the refusal, e.g. `key:rpm`. */
  readonly label: string;
  readonly isTokens: boolean;
}

export interface PlannedSlot {
  readonly check: SlotCheck;
  /** e.g. `key:concurrency`. */
  readonly label: string;
}

export interface PlannedBudget {
  readonly check: BudgetCheck;
  readonly ref: BudgetRef;
  /** For the audit decision, e.g. `budget:key:monthly`. */
  readonly label: string;
}

export interface PendingAdmission {
  rates: readonly PlannedRate[];
  slots: readonly PlannedSlot[];
}
