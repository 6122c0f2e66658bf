// Fault injection for the API double: answer some requests with an error
// status, slowly, or by cutting the connection. (Refusing connections outright
// is done on the listener: see KubeApi.refuseConnections.)

/** Which requests a fault applies to; every given field must match. */
export interface FaultMatch {
  /** HTTP methods (upper case). */
  methods?: readonly string[];
  /** Resource plurals (`secrets`, `leases`, `mutatingwebhookconfigurations`). */
  resources?: readonly string[];
  /** Only watches (true) or only non-watch requests (false). */
  watch?: boolean;
  /** The bearer token of the caller (each replica can have its own). */
  user?: string;
}

export type FaultAction =
  /** Answer with this HTTP status and a Status body (503 ServiceUnavailable, 500 InternalError, 429, ...). */
  | { kind: 'status'; code: number; message?: string }
  /** Wait, then answer normally. */
  | { kind: 'delay'; ms: number }
  /** Wait until `until` settles (the test decides when), then answer normally. */
  | { kind: 'hold'; until: Promise<unknown> }
  /** Destroy the connection without an answer. */
  | { kind: 'reset' };

export interface Fault {
  match?: FaultMatch;
  action: FaultAction;
  /** How many requests it applies to before it removes itself; unlimited when absent. */
  times?: number;
}

/** What a request looks like to the fault matcher. */
export interface RequestFacts {
  method: string;
  resource?: string;
  watch: boolean;
  user?: string;
}

/** The faults in force on one double. */
export interface Faults {
  /** Adds a fault; returns a function that removes it. */
  add(fault: Fault): () => void;
  clear(): void;
  /** The action for this request (consuming one of its `times`), or undefined. */
  take(request: RequestFacts): FaultAction | undefined;
}

/** An empty fault list. */
export function createFaults(): Faults {
  const active: { fault: Fault; left: number }[] = [];
  return {
    add(fault) {
      const entry = { fault, left: fault.times ?? Number.POSITIVE_INFINITY };
      active.push(entry);
      return () => {
        const i = active.indexOf(entry);
        if (i >= 0) active.splice(i, 1);
      };
    },
    clear: () => void active.splice(0),
    take(request) {
      const entry = active.find((e) => matches(e.fault.match, request));
      if (!entry) return undefined;
      entry.left--;
      if (entry.left <= 0) active.splice(active.indexOf(entry), 1);
      return entry.fault.action;
    },
  };
}

function matches(match: FaultMatch | undefined, r: RequestFacts): boolean {
  if (!match) return true;
  if (match.methods && !match.methods.includes(r.method)) return false;
  if (match.resources && (r.resource === undefined || !match.resources.includes(r.resource))) return false;
  if (match.watch !== undefined && match.watch !== r.watch) return false;
  if (match.user !== undefined && match.user !== r.user) return false;
  return true;
}
