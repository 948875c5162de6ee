// Test app for test/integration/tanstack-start.test.ts, served by Vite's dev server from a temporary copy.
// POLAR_WEBHOOKS_DIST (set by the test) holds a copy of the repository's dist/: `polar-webhooks/tanstack-start`
// resolves to the BUILT package there, as it would from npm.
import path from 'node:path';
import { tanstackStart } from '@tanstack/react-start/plugin/vite';
import viteReact from '@vitejs/plugin-react';

const dist = process.env.POLAR_WEBHOOKS_DIST;
if (!dist) throw new Error('Set POLAR_WEBHOOKS_DIST to the dist/ folder of polar-webhooks (run npm run build first).');

export default {
  plugins: [tanstackStart({ customViteReactPlugin: true, tsr: { disableTypes: true } }), viteReact()],
  resolve: { alias: { 'polar-webhooks/tanstack-start': path.join(dist, 'tanstack-start.js') } },
};
