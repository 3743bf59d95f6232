// Selects the Ingresses that are Bollard's: an Ingress is ours when
//   (a) spec.ingressClassName names an IngressClass whose controller is ours; else,
//   (b) without ingressClassName, the legacy annotation kubernetes.io/ingress.class names one; else,
//   (c) when neither is set, some IngressClass marked default has our controller.
// Other Ingresses are ignored silently: they belong to another controller.
import type { IngressClassObject, IngressObject } from '../../snapshot/model.ts';
import type { BuildState } from '../state.ts';
import { compareRefs } from '../compare.ts';

export const LEGACY_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

export function ingressClassProcessor(state: BuildState): void {
  const controller = state.options.controllerName;
  const classes = state.snapshot.ingressClasses().filter((c: IngressClassObject) => c.controller === controller);
  const ourClasses = new Set(classes.map((c) => c.name));
  const ourDefault = classes.some((c) => c.isDefault);
  state.ingresses = state.snapshot
    .ingresses()
    .filter((ingress) => {
      const className = requestedClass(ingress);
      return className === undefined ? ourDefault : ourClasses.has(className);
    })
    .sort(compareRefs);
}

/** The class an Ingress asks for, or undefined when it asks for none (an empty value counts as none). */
function requestedClass(ingress: IngressObject): string | undefined {
  if (ingress.ingressClassName !== undefined && ingress.ingressClassName !== '') return ingress.ingressClassName;
  const legacy = ingress.annotations[LEGACY_CLASS_ANNOTATION];
  return legacy === undefined || legacy === '' ? undefined : legacy;
}
