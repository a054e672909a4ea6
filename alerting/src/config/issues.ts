import type { z } from 'zod';

export interface Issue {
  path: string;
  message: string;
}

/** "rules[2].threshold" from ['rules', 2, 'threshold']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out || '(root)';
}

export function zodIssues(error: z.ZodError, prefix: readonly PropertyKey[] = []): Issue[] {
  return error.issues.map((i) => ({ path: formatPath([...prefix, ...i.path]), message: i.message }));
}

/** A configuration that cannot be used; `issues` name each problem's path. */
export class AlertingConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: Issue[],
  ) {
    super(
      `${source}: invalid alerting configuration\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    );
  }
}
