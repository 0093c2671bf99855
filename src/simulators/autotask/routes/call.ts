/** What the entity routes share: ids from the URL, who a call acts as, and how a committed write is answered. */
import type { Request, Response } from 'express';
import type { SimulatorContext } from '../context';
import { callInfo } from '../pipeline';
import { apiActingResource, type TriggeringWriteContext } from '../triggers';
import { ApiFault } from '../wire';

export function numericId(req: Request, name: string): number {
  const id = String(req.params[name]);
  if (!/^\d+$/.test(id)) throw new ApiFault(400, { Message: 'The request is invalid.' });
  return Number(id);
}

export function writeContextOf(context: SimulatorContext, res: Response): TriggeringWriteContext {
  const call = callInfo(res);
  const impersonation = call.impersonationResourceId;
  const impersonationResourceId = impersonation !== null && /^\d+$/.test(impersonation) ? Number(impersonation) : null;
  return {
    now: new Date(),
    impersonationResourceId,
    actingResourceId: apiActingResource(context, call.userName, impersonationResourceId),
    apiUserResourceId: apiActingResource(context, call.userName, null),
  };
}

/** Commit-then-timeout faults apply to every committed write, child writes included. */
export function answerWrite(context: SimulatorContext, req: Request, res: Response, itemId: number): void {
  const afterCommit = context.faults.takeCommitThenTimeout();
  if (afterCommit === 'reset') {
    req.socket.destroy();
    return;
  }
  // 'hang': committed, and the answer never comes; the client's timeout (or close()) ends it.
  if (afterCommit === 'hang') return;
  res.json({ itemId });
}

