// AnyOf (nginx satisfy any): the checks run in order until one lets the request in. A refusal is
// remembered (401, or a forward auth's 302 to its sign-in page, wins over 403, as nginx keeps the
// 401 of its access phase) and answered when none lets it in; any other answer (the authentication
// service failed: 500) ends it at once, as nginx's access phase does. An address check with only a
// deny list lets nobody in by itself (nginx's access module declines when no rule matches): an
// address it does not deny goes on to the next check.
import type { AccessCheck, AnyOf } from '../../routing/middleware.ts';
import type { ChainRequest, ForwardPlan, LocalAnswer, Step } from './step.ts';

type Outcome = LocalAnswer | undefined;

/** How much a refusal counts when another check may still let the request in; undefined: it is final. */
function weight(answer: LocalAnswer): number | undefined {
  if (answer.status === 401 || answer.status === 302) return 2;
  return answer.status === 403 ? 1 : undefined;
}

/** Whether the check's "yes" lets the request in (a deny list alone only says "not refused"). */
const admits = (check: AccessCheck): boolean => check.kind !== 'IPAccess' || check.allow.length > 0;

export function compileAnyOf(filter: AnyOf, compile: (check: AccessCheck) => Step): Step {
  const steps = filter.checks.map(compile);
  const decisive = filter.checks.map(admits);
  const from = (first: number, req: ChainRequest, plan: ForwardPlan, refused: LocalAnswer | undefined): Outcome | Promise<Outcome> => {
    let kept = refused;
    for (let at = first; at < steps.length; at++) {
      const answer = (steps[at] as Step)(req, plan);
      if (answer instanceof Promise) return answer.then((waited) => settle(waited, decisive[at] === true, () => from(at + 1, req, plan, better(waited, kept))));
      if (answer === undefined && decisive[at] === true) return undefined;
      if (answer !== undefined && weight(answer) === undefined) return answer;
      kept = better(answer, kept);
    }
    return kept;
  };
  return (req, plan) => from(0, req, plan, undefined);
}

/** After a check that had to wait: let in, answered for good, or on to the next check (the last answers the best refusal). */
function settle(answer: Outcome, decisive: boolean, next: () => Outcome | Promise<Outcome>): Outcome | Promise<Outcome> {
  if (answer === undefined && decisive) return undefined;
  return answer !== undefined && weight(answer) === undefined ? answer : next();
}

function better(answer: Outcome, kept: LocalAnswer | undefined): LocalAnswer | undefined {
  if (answer === undefined || weight(answer) === undefined) return kept;
  return kept === undefined || (weight(answer) ?? 0) > (weight(kept) ?? 0) ? answer : kept;
}
