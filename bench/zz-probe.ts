import { drainOnce } from './drain.ts';
const r = await drainOnce({ batchCounting: 'one', accounts: 1, contactsPerAccount: 1500, requestsPerMinute: 24, timeScale: 0.2, timeoutMs: 200_000 } as never);
console.log(JSON.stringify(r));
