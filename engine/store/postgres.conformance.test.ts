/** The store conformance suite against PostgreSQL: each test on a database of its own, dropped after. */
import { postgresForTests } from '../../test/support/postgres.ts';
import { storeConformance } from './conformance.ts';
import { openPostgresStore } from './postgres.ts';

const postgres = postgresForTests();

storeConformance('postgresql', async () => {
  const url = await postgres.freshDatabase();
  const store = await openPostgresStore({ url });
  return {
    store,
    async close() {
      await store.close();
      await postgres.dropDatabase(url);
    },
  };
});
