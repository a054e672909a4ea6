// Grafana's template variable interpolation, the part our dashboards use: `$var`, `${var}`,
// `${var:format}` and `[[var]]`, with multi-value and "All" handling. Global variables
// ($__interval, $__rate_interval, $__range …) are passed in as ordinary values.

export type VariableValue = string | string[];

export interface VariableScope {
  [name: string]: VariableValue;
}

/** How a multi-valued variable is written when no format is given; Prometheus uses regex. */
export type DefaultFormat = 'regex' | 'sqlstring';

const escapeRegex = (v: string) => v.replace(/[\\^$*+?.()|[\]{}/]/g, '\\$&');
const sqlString = (v: string) => `'${v.replace(/'/g, "''")}'`;

function applyFormat(value: VariableValue, format: string, isAll: boolean): string {
  const values = Array.isArray(value) ? value : [value];
  // "All" with a custom allValue is written verbatim whatever the format (Grafana does the same).
  if (isAll) return values.join(',');
  switch (format) {
    case 'regex':
      return values.length === 1 ? escapeRegex(values[0]) : `(${values.map(escapeRegex).join('|')})`;
    case 'sqlstring':
    case 'singlequote':
      return values.map(sqlString).join(',');
    case 'doublequote':
      return values.map((v) => `"${v.replace(/"/g, '\\"')}"`).join(',');
    case 'pipe':
      return values.join('|');
    case 'csv':
    case 'raw':
      return values.join(',');
    default:
      throw new Error(`unsupported variable format "${format}"`);
  }
}

/**
 * Replaces variable references in `text`. `allValues` names the variables that are set to
 * "All" (their value is the variable's allValue). Unknown variables are left untouched, like
 * Grafana leaves them, so a test can notice them.
 */
export function interpolate(
  text: string,
  scope: VariableScope,
  options: { defaultFormat: DefaultFormat; allValues?: ReadonlySet<string> },
): string {
  const pattern = /\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]|\$\{(\w+)(?::(\w+))?\}/g;
  return text.replace(
    pattern,
    (match, plain: string, bracket: string, bracketFmt: string, braced: string, bracedFmt: string) => {
      const name = plain ?? bracket ?? braced;
      if (!(name in scope)) return match;
      const value = scope[name];
      const isAll = options.allValues?.has(name) ?? false;
      const format = bracketFmt ?? bracedFmt;
      if (format) return applyFormat(value, format, isAll);
      if (!Array.isArray(value)) return value;
      return applyFormat(value, options.defaultFormat, isAll);
    },
  );
}

/** Names of variables referenced in `text` (for "every variable is defined" checks). */
export function referencedVariables(text: string): string[] {
  const names = new Set<string>();
  for (const m of text.matchAll(/\$(\w+)|\[\[(\w+)(?::\w+)?\]\]|\$\{(\w+)(?::\w+)?\}/g)) {
    names.add(m[1] ?? m[2] ?? m[3]);
  }
  return [...names];
}
