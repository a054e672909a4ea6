// The demo's two spend budgets (DESIGN.md "Budgets"), created through the alerting API:
// a per-user daily budget the demo's heavy spender crosses 80 % of (see demo-scenario.js),
// and an organisation's monthly budget that stays under its thresholds.
const DEMO_BUDGETS = [
  {
    name: 'demo_user_daily_openai',
    match: { provider: 'openai' },
    by: ['user_id'],
    period: 'day',
    timezone: 'UTC',
    limit_usd: 5,
    thresholds: [50, 80, 100],
    forecast: true,
  },
  {
    name: 'demo_acme_monthly',
    match: { organization_id: 'acme' },
    period: 'month',
    timezone: 'Europe/Berlin',
    limit_usd: 500,
  },
];

/**
 * Creates the demo budgets in the alerting service (an existing one is left as it is).
 * Returns what happened, one line per budget; never throws (the demo goes on without them).
 */
async function defineDemoBudgets(alertingUrl, token) {
  const out = [];
  for (const b of DEMO_BUDGETS) {
    try {
      const res = await fetch(`${alertingUrl}/v1/budgets`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(b),
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      out.push(
        `${b.name}: ${res.status === 201 ? 'created' : res.status === 409 ? 'exists' : `HTTP ${res.status}`}`,
      );
    } catch (err) {
      out.push(`${b.name}: alerting unreachable at ${alertingUrl} (${err.cause?.code ?? err.message})`);
    }
  }
  return out;
}

module.exports = { DEMO_BUDGETS, defineDemoBudgets };
