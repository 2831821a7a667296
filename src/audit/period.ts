import { WarmstartError } from '../errors.js';

/** A half-open time window [since, until) as ISO instants; either end may be open. */
export interface Period {
  since: string | null;
  until: string | null;
}

const FORMS = /^\d{4}-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?$/;

/** `--since`/`--until`: YYYY-MM, YYYY-MM-DD or an ISO time (UTC unless it says otherwise). */
export function parseInstant(flag: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  const time = FORMS.test(value) ? Date.parse(value.length === 7 ? `${value}-01T00:00:00Z` : value.length === 10 ? `${value}T00:00:00Z` : /Z|[+-]\d{2}:\d{2}$/.test(value) ? value : `${value}Z`) : NaN;
  if (Number.isNaN(time)) throw new WarmstartError('CONFIG_INVALID', `${flag} "${value}" is not a date: give YYYY-MM, YYYY-MM-DD or an ISO time such as 2026-11-01T00:00:00Z`, flag);
  return new Date(time).toISOString();
}

export function parsePeriod(since: string | undefined, until: string | undefined): Period {
  const period = { since: parseInstant('--since', since), until: parseInstant('--until', until) };
  if (period.since && period.until && period.since >= period.until) throw new WarmstartError('CONFIG_INVALID', `--since ${since} is not before --until ${until}: give an earlier --since`, '--since');
  return period;
}

/** Entries are placed in time by when they finished (when their compute was spent in full). */
export function inPeriod(at: string, period: Period): boolean {
  const time = new Date(at).toISOString();
  return (period.since === null || time >= period.since) && (period.until === null || time < period.until);
}

/** The UTC month of an instant, YYYY-MM. */
export function monthOf(at: string): string {
  return new Date(at).toISOString().slice(0, 7);
}
