import { INCIDENT_METRICS } from './incidents.js';
import { QUALITY_METRICS } from './quality.js';
import { SATISFACTION_METRICS } from './satisfaction.js';
import { SLA_METRICS } from './sla.js';
import { TIME_METRICS } from './times.js';
import { TOP_ISSUE_METRICS } from './top-issues.js';
import type { MetricDef } from './types.js';
import { VOLUME_METRICS } from './volume.js';

export type { MetricDef } from './types.js';

/** Every metric, by key: the one list the API, the app and docs/metrics.md read. */
export const METRICS: readonly MetricDef[] = [...TIME_METRICS, ...SLA_METRICS, ...VOLUME_METRICS, ...QUALITY_METRICS, ...TOP_ISSUE_METRICS, ...SATISFACTION_METRICS, ...INCIDENT_METRICS];
export const METRICS_BY_KEY: ReadonlyMap<string, MetricDef> = new Map(METRICS.map((d) => [d.key, d]));
