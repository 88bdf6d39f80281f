import { GatewayError } from '../../errors/gateway-error.js';
import type { Stage, Verdict } from '../stage.js';
import type { AuditWriter } from './writer.js';

/** Every answered request is audited, so when the audit queue is full, refuse new ones. */
export function createAuditReadyStage(deps: { writer: Pick<AuditWriter, 'isSaturated'> }): Stage {
  return {
    name: 'audit_ready',
    run: function auditReady(): Verdict {
      return deps.writer.isSaturated
        ? new GatewayError('store_unavailable', {
            message: 'The audit log is not accepting records; the request was refused.',
          })
        : undefined;
    },
  };
}
