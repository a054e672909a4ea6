import { findUnsafeJson } from '@aihub/core';
import fs from 'fs';
import path from 'path';
import YAML from 'yaml';
import { alertingConfigSchema, type AlertingConfig } from './schema';
import { AlertingConfigError, formatPath, zodIssues, type Issue } from './issues';

/** The shipped defaults (alerting/config/defaults.yaml), used when ALERTING_CONFIG is unset. */
export const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '../../config/defaults.yaml');

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces ${VAR} and ${VAR:-default} inside string values (after YAML parsing, so a value
 * cannot inject YAML structure and a missing variable is reported at its path).
 */
export function substituteEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  issues: Issue[],
  at: PropertyKey[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_m, name: string, fallback: string | undefined) => {
      const v = env[name];
      if (v !== undefined && v !== '') return v;
      if (fallback !== undefined) return fallback;
      issues.push({ path: formatPath(at), message: `environment variable ${name} is not set` });
      return '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, issues, [...at, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, substituteEnv(v, env, issues, [...at, k])]),
    );
  }
  return value;
}

/** Parses and validates YAML text; throws AlertingConfigError naming every bad path. */
export function parseAlertingConfig(
  text: string,
  env: NodeJS.ProcessEnv = process.env,
  source = 'configuration',
): AlertingConfig {
  const doc = YAML.parseDocument(text, { prettyErrors: true });
  if (doc.errors.length) {
    throw new AlertingConfigError(
      source,
      doc.errors.map((e) => ({
        path: e.linePos ? `line ${e.linePos[0].line}:${e.linePos[0].col}` : '(yaml)',
        message: e.message.split('\n')[0],
      })),
    );
  }
  const issues: Issue[] = [];
  const raw = substituteEnv(doc.toJS() ?? {}, env, issues);
  // The API's rule: reserved keys (__proto__, …) and NUL or lone surrogates are named, not dropped.
  issues.push(...findUnsafeJson(raw));
  const parsed = alertingConfigSchema.safeParse(raw);
  if (!parsed.success) issues.push(...zodIssues(parsed.error));
  if (issues.length || !parsed.success) throw new AlertingConfigError(source, issues);
  return parsed.data;
}

/** Reads and validates a configuration file (the shipped defaults when file is undefined). */
export function loadAlertingConfig(
  file: string = DEFAULT_CONFIG_PATH,
  env: NodeJS.ProcessEnv = process.env,
): AlertingConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AlertingConfigError(file, [{ path: '(file)', message: (err as Error).message }]);
  }
  return parseAlertingConfig(text, env, file);
}
