// Test app for test/integration/sveltekit.test.ts, served by Vite's dev server from a temporary copy.
// POLAR_WEBHOOKS_DIST (set by the test) is the repository's dist/: `polar-webhooks/sveltekit` resolves
// to the BUILT package there, as it would from npm.
import path from 'node:path';
import { sveltekit } from '@sveltejs/kit/vite';

const dist = process.env.POLAR_WEBHOOKS_DIST;
if (!dist) throw new Error('Set POLAR_WEBHOOKS_DIST to the dist/ folder of polar-webhooks (run npm run build first).');

export default {
  plugins: [sveltekit()],
  resolve: { alias: { 'polar-webhooks/sveltekit': path.join(dist, 'sveltekit.js') } },
};
