// The syntax of a Kubernetes label selector (the labelSelector query parameter), checked at
// start so that a typo fails the flag instead of every list of the namespace informer.
// Requirements are comma-separated: `key`, `!key`, `key=value`, `key==value`, `key!=value`,
// `key in (a,b)`, `key notin (a,b)`.
const NAME = '[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?';
const KEY = `(?:[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?/)?${NAME}`;
const VALUE = `(?:${NAME})?`;
const REQUIREMENT = [
  `!?\\s*${KEY}`,
  `${KEY}\\s*(?:==|=|!=)\\s*${VALUE}`,
  `${KEY}\\s+(?:in|notin)\\s*\\(\\s*${VALUE}(?:\\s*,\\s*${VALUE})*\\s*\\)`,
].join('|');
/** '' or a label selector; charts/bollard/values.schema.json holds the same pattern (a chart test compares). */
export const LABEL_SELECTOR_PATTERN = `^$|^\\s*(?:${REQUIREMENT})(?:\\s*,\\s*(?:${REQUIREMENT}))*\\s*$`;
const SELECTOR = new RegExp(LABEL_SELECTOR_PATTERN);

/** True for '' (no selector) and for a well-formed label selector. */
export function isLabelSelector(s: string): boolean {
  return s.trim() === '' || SELECTOR.test(s);
}
