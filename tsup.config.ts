import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    testing: 'src/testing/index.ts',
    schemas: 'src/schemas.ts',
    express: 'src/adapters/express.ts',
    next: 'src/adapters/next.ts',
    hono: 'src/adapters/hono.ts',
  },
  format: ['esm', 'cjs'],
  target: 'es2022',
  platform: 'neutral',
  dts: true,
  splitting: true,
  sourcemap: false,
  clean: true,
  treeshake: true,
  minify: false,
});
