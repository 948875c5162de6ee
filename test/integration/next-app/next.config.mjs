// Test app for test/integration/next.test.ts. The test copies this directory to a temporary one,
// links node_modules to the repository's, and builds it with `next build`. POLAR_WEBHOOKS_DIST
// (set by the test) is the repository's dist/ folder: `polar-webhooks` and `polar-webhooks/next`
// resolve to the BUILT package there, as they would from npm.
import path from 'node:path';

const dist = process.env.POLAR_WEBHOOKS_DIST;
if (!dist) throw new Error('Set POLAR_WEBHOOKS_DIST to the dist/ folder of polar-webhooks (run npm run build first).');

export default {
  eslint: { ignoreDuringBuilds: true },
  webpack(config) {
    config.resolve.alias = {
      ...config.resolve.alias,
      'polar-webhooks$': path.join(dist, 'index.js'),
      'polar-webhooks/next$': path.join(dist, 'next.js'),
    };
    return config;
  },
};
