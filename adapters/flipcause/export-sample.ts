import { detectExport } from './backfill-record.ts';

/** A contacts-export row with every column it reads filled (example.org people only). */
const SAMPLE: Readonly<Record<string, string>> = {
  'First Name': 'sample',
  'Last Name': 'contact',
  'Business/Organization Name': 'Sample Org',
  Email: 'sample.contact@example.org',
  'Primary Mobile Country Code': '+1',
  'Primary Mobile Number': '5105550100',
  Address: '1 Example Way',
  'Address Line 2': 'Suite 2',
  City: 'Oakland',
  'State/Province': 'CA',
  'Postal Code': '94607',
  Country: 'United States',
  'Largest Contribution Amount': '$250.00',
  'Largest Contribution Date': '03/14/2025',
};

/** The raw record a fully filled contacts-export row becomes, so `check` samples the mapping's view of backfilled contacts too. */
export function exportSample(orgId: string): Record<string, unknown> {
  const headers = Object.keys(SAMPLE);
  return detectExport(orgId, headers)!.toRecord(Object.values(SAMPLE), { line: 2, onList: false });
}
