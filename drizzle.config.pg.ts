import { defineConfig } from 'drizzle-kit';

/** PostgreSQL (issue 16): `npx drizzle-kit generate --config drizzle.config.pg.ts --name <name>` after editing db/schema.pg.ts. */
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.pg.ts',
  out: './db/migrations-pg',
  dbCredentials: { url: process.env.DATABASE_URL ?? 'postgresql://localhost/xueshi' },
});
