/**
 * The alert rules and the Grafana dashboard that ship with the engine (engine/observability/) name
 * only metrics the engine exports — read from a running server's registry — or recorded by the
 * rules themselves; every alert has a promtool test where it fires and one where it does not.
 * promtool itself runs in `npm run test:alerts` (.ci/run installs it); this needs npm alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { metricNames, templateQueryNames } from './support/promql-names.ts';
import { flowYaml, startHarness } from './support/harness.ts';
import '../adapters/index.ts';

const dir = new URL('../engine/observability/', import.meta.url);
const RULES = parse(readFileSync(new URL('alerts.yml', dir), 'utf8')) as RuleFile;
const RULE_TESTS = parse(readFileSync(new URL('alerts.test.yml', dir), 'utf8')) as RuleTestFile;
const DASHBOARD = JSON.parse(readFileSync(new URL('grafana-dashboard.json', dir), 'utf8')) as Dashboard;

interface Rule { record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }
interface RuleFile { groups: { name: string; interval?: string; rules: Rule[] }[] }
interface AlertTest { eval_time: string; alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }
interface RuleTestFile { rule_files: string[]; tests: { input_series: { series: string; values: string }[]; alert_rule_test?: AlertTest[] }[] }
interface Target { expr?: string }
interface Panel { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets?: Target[]; panels?: Panel[]; datasource?: { uid?: string } }
interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; type: string; query?: string | { query: string } }[] } }

const rules = RULES.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

/** Every series name a scrape of a running engine can show: each family, with a histogram's _bucket, _sum and _count. */
async function exportedNames(): Promise<Set<string>> {
  const h = await startHarness({ flows: { hope: flowYaml('hope', 'mailing_list', { new: ['Newsletter'], existing: ['Newsletter'] }) } });
  try {
    const text = await (await fetch(`${h.server.url}/metrics`)).text();
    const names = new Set<string>();
    for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      names.add(name!);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name! + suffix);
      if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(name! + suffix);
    }
    return names;
  } finally {
    await h.close();
  }
}

const exported = exportedNames();

/** The names in `exprs` that are neither exported nor recorded, with where they were found. */
async function unknown(exprs: { where: string; names: string[] }[]): Promise<string[]> {
  const known = await exported;
  return exprs.flatMap(({ where, names }) => names.filter((n) => !known.has(n) && !recorded.has(n)).map((n) => `${where}: ${n}`));
}

function allPanels(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

function dashboardExprs(d: Dashboard): { where: string; names: string[] }[] {
  const fromPanels = allPanels(d.panels).flatMap((p) =>
    (p.targets ?? []).map((t, i) => ({ where: `panel "${p.title}" target ${i}`, names: metricNames(t.expr ?? '') })));
  const fromVariables = d.templating.list.filter((v) => v.type === 'query').map((v) => ({
    where: `variable ${v.name}`,
    names: templateQueryNames(typeof v.query === 'string' ? v.query : v.query?.query ?? ''),
  }));
  return [...fromPanels, ...fromVariables];
}

test('the PromQL name reader finds metrics and only metrics', () => {
  assert.deepEqual(metricNames('sum by (flow, status) (rate(engine_deliveries_total{flow=~"$flow", status="429"}[$__rate_interval]))'), ['engine_deliveries_total']);
  assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le, operation) (rate(a_seconds_bucket{account=~"$account"}[5m])))'), ['a_seconds_bucket']);
  assert.deepEqual(metricNames('time() - max by (flow) (b_timestamp_seconds) > on (flow) group_left clamp_min(8 * flow:b:median28d, 7200)'), ['b_timestamp_seconds', 'flow:b:median28d']);
  assert.deepEqual(metricNames('count(max by (account) (c) == 1) or vector(0)'), ['c']);
  assert.deepEqual(metricNames('d offset 1h unless ignoring (job) e[1h:5m] and f @ 1609746000'), ['d', 'e', 'f']);
  assert.deepEqual(metricNames('1e3 * g and bool 2'), ['g']);
  assert.deepEqual(templateQueryNames('label_values(engine_queue_pending, flow)'), ['engine_queue_pending']);
});

test('the check catches a metric the engine does not export', async () => {
  const planted: Dashboard = { ...DASHBOARD, panels: [{ id: 1, type: 'timeseries', title: 'typo', gridPos: { x: 0, y: 0, w: 1, h: 1 }, targets: [{ expr: 'max by (flow) (engine_dead_leters)' }] }] };
  assert.deepEqual(await unknown(dashboardExprs(planted)), ['panel "typo" target 0: engine_dead_leters']);
  assert.deepEqual(await unknown([{ where: 'rule', names: metricNames('engine_seconds_since_last_delivery > 3600') }]), ['rule: engine_seconds_since_last_delivery']);
});

test('alert rules: every expression names only metrics the engine exports or the rules record', async () => {
  assert.ok((await exported).has('engine_last_delivery_timestamp_seconds'), 'the registry was read');
  const exprs = rules.map((r) => ({ where: r.alert ?? r.record ?? '?', names: metricNames(r.expr) }));
  assert.ok(exprs.every((e) => e.names.length > 0), 'each expression reads at least one metric');
  assert.deepEqual(await unknown(exprs), []);
});

test('alert rules: the six that ship, each with a severity, a summary and a description', () => {
  assert.deepEqual(alerts.map((a) => a.alert).sort(), [
    'EngineAccountPaused', 'EngineAccountUndrained', 'EngineDeadLettersGrowing', 'EngineFlowSilent', 'EngineMailerLiteRateLimited', 'EngineOldestPendingOverAnHour',
  ]);
  for (const a of alerts) {
    assert.match(a.labels?.severity ?? '', /^(warning|critical)$/, `${a.alert} severity`);
    assert.ok(a.annotations?.summary && a.annotations.description, `${a.alert} annotations`);
  }
  const silent = alerts.find((a) => a.alert === 'EngineFlowSilent')!;
  assert.match(silent.expr, /flow:engine_delivery_silence_seconds:median28d/, 'judged against the flow\'s usual silence');
  assert.ok([...recorded].every((name) => /^\w+:\w+(:\w+)?$/.test(name)), 'recording rules follow level:metric:operations');
});

test('promtool tests: every alert has a series that fires and one that does not', () => {
  assert.deepEqual(RULE_TESTS.rule_files, ['alerts.yml']);
  for (const { alert } of alerts) {
    const groups = RULE_TESTS.tests.filter((t) => t.alert_rule_test?.some((a) => a.alertname === alert));
    assert.ok(groups.length > 0, `${alert} is tested`);
    const evals = groups.flatMap((g) => g.alert_rule_test!.filter((a) => a.alertname === alert));
    assert.ok(evals.some((e) => e.exp_alerts.length > 0), `${alert} fires somewhere`);
    assert.ok(evals.some((e) => e.exp_alerts.length === 0), `${alert} is quiet somewhere`);
    // The label that names what alerts (flow or account): some input series never fires.
    const firing = new Set(evals.flatMap((e) => e.exp_alerts.map((x) => x.exp_labels.flow ?? x.exp_labels.account)));
    const inputs = groups.flatMap((g) => g.input_series.map((s) => /(?:flow|account)="([^"]+)"/.exec(s.series)?.[1]));
    assert.ok(inputs.some((v) => v !== undefined && !firing.has(v)), `${alert} has a series that does not fire`);
    assert.ok([...firing].every((v) => inputs.includes(v)), `${alert} fires only for its input series`);
  }
});

test('Grafana dashboard: every query names only metrics the engine exports', async () => {
  const exprs = dashboardExprs(DASHBOARD);
  assert.ok(exprs.length >= 20);
  assert.ok(exprs.every((e) => e.names.length > 0), `an empty query: ${exprs.filter((e) => e.names.length === 0).map((e) => e.where).join(', ')}`);
  assert.deepEqual(await unknown(exprs), []);
});

test('Grafana dashboard: the panels an operator needs, laid out on the grid, each on the chosen data source', () => {
  const panels = allPanels(DASHBOARD.panels);
  const titles = panels.map((p) => p.title);
  for (const needed of ['Deliveries by status', 'Intake latency (request to answer)', 'Pending records', 'Oldest pending record', 'Outcomes', 'MailerLite request duration (p95 by operation)', 'MailerLite 429s by account', 'Paused accounts', 'Accounts drained, by instance', 'Dead letters', 'Time since last delivery']) {
    assert.ok(titles.includes(needed), `panel "${needed}"`);
  }
  assert.equal(new Set(panels.map((p) => p.id)).size, panels.length, 'panel ids are unique');
  for (const p of panels) {
    assert.ok(p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24, `panel "${p.title}" fits the 24-column grid`);
    if (p.type !== 'row') assert.equal(p.datasource?.uid, '${datasource}', `panel "${p.title}" uses the dashboard's data source`);
  }
  const latency = panels.find((p) => p.title === 'Intake latency (request to answer)')!;
  assert.deepEqual(latency.targets!.map((t) => /histogram_quantile\((0\.\d+),/.exec(t.expr ?? '')?.[1]), ['0.5', '0.95', '0.99']);
  assert.deepEqual(DASHBOARD.templating.list.map((v) => v.name), ['datasource', 'flow', 'account']);
});
