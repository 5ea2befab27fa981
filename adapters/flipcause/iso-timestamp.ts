/**
 * ISO 8601 timestamps as `since` accepts them: a date (midnight UTC) or a date-time with Z or an
 * offset. A date-time without a zone is refused: Date.parse would read it in the server's zone.
 */
const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;
const dateTime = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

function validDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

export function isIsoTimestamp(value: string): boolean {
  const day = dateOnly.exec(value);
  if (day) return validDate(Number(day[1]), Number(day[2]), Number(day[3]));
  const dt = dateTime.exec(value);
  if (!dt) return false;
  const [, y, m, d, hh, mm, ss = '0', oh = '0', om = '0'] = dt;
  return validDate(Number(y), Number(m), Number(d)) && Number(hh) <= 23 && Number(mm) <= 59 && Number(ss) <= 59 && Number(oh) <= 23 && Number(om) <= 59;
}
