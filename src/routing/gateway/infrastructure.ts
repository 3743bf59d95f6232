// spec.infrastructure.parametersRef: Bollard is one shared data plane configured by flags, so it
// takes no parameters object of any kind. A Gateway naming one is not accepted (InvalidParameters)
// and none of its listeners is served: serving it without the configuration it asks for could
// expose it in a way its owner did not intend.
import type { GatewayObject } from '../../snapshot/gateway-model.ts';
import { condition, type ConditionSpec } from './report.ts';
import type { ListenerState } from './listeners.ts';

/** Why the Gateway's parametersRef refuses it; undefined when it names none. */
export function invalidParameters(gateway: GatewayObject): string | undefined {
  const ref = gateway.infrastructure?.parametersRef;
  if (ref === undefined) return undefined;
  const named = `${ref.group === '' ? '' : `${ref.group}/`}${ref.kind} "${ref.name}"`;
  return `spec.infrastructure.parametersRef names ${named}, but Bollard takes no parameters object: remove parametersRef`;
}

/** Listeners of a Gateway refused for its parameters: not accepted, not served, no route attaches. */
export function refuseForParameters(listeners: readonly ListenerState[], message: string): void {
  for (const l of listeners) {
    for (const [i, c] of l.conditions.entries()) {
      if (c.type === 'Accepted' || c.type === 'Programmed') l.conditions[i] = condition(c.type, false, 'Invalid', `the Gateway is not accepted: ${message}`);
    }
    l.attachable = false;
    l.served = false;
  }
}

export const invalidParametersCondition = (message: string): ConditionSpec => condition('Accepted', false, 'InvalidParameters', message);
