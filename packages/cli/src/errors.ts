/** Where in the input a problem is: the file, the 1-based document, the List item, the object's name. */
export interface Location {
  file: string;
  /** 1-based position of the document in the YAML stream. */
  document?: number;
  /** 0-based index in the `items` of a List document. */
  item?: number;
  /** `Kind namespace/name`, when known. */
  label?: string;
}

/** One problem with the input, named precisely enough to find and fix it. */
export interface Problem {
  location: Location;
  /** Dotted path of the offending field inside the document (`spec.template.spec.containers[0].name`). */
  field?: string;
  /** 1-based line and column in the file, for syntax errors. */
  line?: number;
  column?: number;
  message: string;
}

/** Bad command line: exit 2 with the short usage line. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Unusable input, config or file: exit 1, one line per problem. */
export class InputError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'InputError';
  }
}

/** Renders a location as `file: document 2, item 0 (Deployment shop/web)`. */
export function formatLocation(location: Location): string {
  const parts: string[] = [];
  if (location.document !== undefined) parts.push(`document ${location.document}`);
  if (location.item !== undefined) parts.push(`item ${location.item}`);
  const where = parts.join(', ');
  const label = location.label ? ` (${location.label})` : '';
  return where ? `${location.file}: ${where}${label}` : `${location.file}${label}`;
}

/** One line naming the file, document, position and field, then the message. */
export function formatProblem(problem: Problem): string {
  let out = formatLocation(problem.location);
  if (problem.line !== undefined) out += `, line ${problem.line}${problem.column !== undefined ? `, column ${problem.column}` : ''}`;
  if (problem.field) out += `, field ${problem.field}`;
  return `${out}: ${problem.message}`;
}
