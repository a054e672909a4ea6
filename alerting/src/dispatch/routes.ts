import { labelRegexMatches } from '../config/label-regex';
import type { RouteConfig } from '../config/schema';
import type { Labels } from '../types/labels';

/** Own labels only: a missing label is "" (Alertmanager), never an Object.prototype member. */
const labelOf = (labels: Labels, k: string): string => (Object.hasOwn(labels, k) ? labels[k] : '');

export function routeMatches(route: RouteConfig, labels: Labels): boolean {
  for (const [k, v] of Object.entries(route.match)) if (labelOf(labels, k) !== v) return false;
  for (const [k, re] of Object.entries(route.match_re))
    if (!labelRegexMatches(re, labelOf(labels, k))) return false;
  return true;
}

/** Indices of the routes an alert takes: the first match, and further ones while `continue` is set. */
export function matchingRoutes(routes: RouteConfig[], labels: Labels): number[] {
  const out: number[] = [];
  for (let i = 0; i < routes.length; i++) {
    if (!routeMatches(routes[i], labels)) continue;
    out.push(i);
    if (!routes[i].continue) break;
  }
  return out;
}

/** The labels an alert is grouped by on a route (`...` groups by all labels). */
export function groupLabelsOf(route: RouteConfig, labels: Labels): Labels {
  if (route.group_by.includes('...')) return { ...labels };
  const out: Labels = {};
  for (const k of route.group_by) out[k] = labels[k] ?? '';
  return out;
}

/** Group identity: route index plus its group-by values, readable in logs and the API. */
export function groupKeyOf(routeIndex: number, groupLabels: Labels): string {
  const inner = Object.keys(groupLabels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(groupLabels[k])}`)
    .join(',');
  return `route/${routeIndex}:{${inner}}`;
}
