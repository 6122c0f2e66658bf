// kube-apiserver's webhook reinvocation bookkeeping (webhookReinvokeContext and
// the end of the dispatcher loop). After each call: if the object changed, every
// IfNeeded webhook invoked *before* it becomes due for reinvocation, and the
// admission chain will run a second (and last) round; then the called webhook,
// if IfNeeded, joins the "previously invoked" set. So a webhook is reinvoked only
// when a later webhook changed the object, never for its own change. In the second
// round only the due webhooks are called, and a webhook skipped in the first round
// is never called for the first time.

/** Which webhooks (by index in the configuration) are due for reinvocation. */
export interface ReinvocationState {
  readonly previouslyInvoked: Set<number>;
  readonly due: Set<number>;
  /** Whether some call changed the object, so the second round runs. */
  shouldReinvoke: boolean;
}

/** State before the first call. */
export function startReinvocation(): ReinvocationState {
  return { previouslyInvoked: new Set(), due: new Set(), shouldReinvoke: false };
}

/** Records that webhook `index` was called (successfully or not) and whether it changed the object. */
export function recordInvocation(state: ReinvocationState, index: number, changed: boolean, ifNeeded: boolean): void {
  if (changed) {
    for (const i of state.previouslyInvoked) state.due.add(i);
    state.previouslyInvoked.clear();
    state.shouldReinvoke = true;
  }
  if (ifNeeded) state.previouslyInvoked.add(index);
}

/** Whether webhook `index` is called in the given round. */
export function isCalledInRound(state: ReinvocationState, index: number, reinvocation: boolean): boolean {
  return !reinvocation || state.due.has(index);
}
