/**
 * The answer when no LLM is configured or it failed: the findings, rendered as a short
 * Markdown narrative. Deterministic, so it can be tested and cached like any other output.
 */
import type { Finding } from './types';

export function templateNarrative(findings: Finding[], seriesCount: number): string {
  const problems = findings.filter((f) => f.code !== 'healthy' && f.severity !== 'info');
  const notes = findings.filter((f) => f.code !== 'healthy' && f.severity === 'info');
  const healthy = findings.find((f) => f.code === 'healthy');
  const lines: string[] = [];
  if (problems.length === 0 && notes.length === 0) {
    lines.push(`**Summary:** ${healthy?.detail ?? `no problems found in ${seriesCount} series.`}`);
    return lines.join('\n');
  }
  const critical = problems.filter((f) => f.severity === 'critical').length;
  const parts = [];
  if (critical) parts.push(`${critical} critical`);
  if (problems.length - critical)
    parts.push(`${problems.length - critical} warning${problems.length - critical > 1 ? 's' : ''}`);
  if (notes.length) parts.push(`${notes.length} note${notes.length > 1 ? 's' : ''}`);
  lines.push(`**Summary:** ${parts.join(', ')} across ${seriesCount} series. Most severe first:`, '');
  [...problems, ...notes].forEach((f, i) =>
    lines.push(`${i + 1}. **${f.title}** (${f.severity}) — ${f.detail}`),
  );
  return lines.join('\n');
}
