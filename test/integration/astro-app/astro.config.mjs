// Test app for test/integration/astro.test.ts, served by Astro's dev server from a temporary copy.
// POLAR_WEBHOOKS_DIST (set by the test) holds a copy of the repository's dist/: `polar-webhooks/astro`
// resolves to the BUILT package there, as it would from npm.
import path from 'node:path';
import { defineConfig, envField } from 'astro/config';

const dist = process.env.POLAR_WEBHOOKS_DIST;
if (!dist) throw new Error('Set POLAR_WEBHOOKS_DIST to the dist/ folder of polar-webhooks (run npm run build first).');

export default defineConfig({
  // Astro's cache would go to node_modules/.astro, the repository's own through the link.
  cacheDir: './.astro-cache',
  // The secret as @polar-sh/astro's documentation reads it: astro:env/server.
  env: { schema: { POLAR_WEBHOOK_SECRET: envField.string({ context: 'server', access: 'secret' }) } },
  vite: { resolve: { alias: { 'polar-webhooks/astro': path.join(dist, 'astro.js') } } },
});
