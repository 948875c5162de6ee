// Test app for test/integration/react-router.test.ts, served by Vite's dev server from a temporary copy.
// POLAR_WEBHOOKS_DIST (set by the test) holds a copy of the repository's dist/: `polar-webhooks/react-router`
// resolves to the BUILT package there, as it would from npm.
import path from 'node:path';
import { reactRouter } from '@react-router/dev/vite';

const dist = process.env.POLAR_WEBHOOKS_DIST;
if (!dist) throw new Error('Set POLAR_WEBHOOKS_DIST to the dist/ folder of polar-webhooks (run npm run build first).');

export default {
  plugins: [reactRouter()],
  resolve: { alias: { 'polar-webhooks/react-router': path.join(dist, 'react-router.js') } },
};
