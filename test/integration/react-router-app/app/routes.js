import { route } from '@react-router/dev/routes';

export default [
  route('hook', 'routes/hook.js'),
  route('hook-after-middleware', 'routes/hook-after-middleware.js'),
  route('compat', 'routes/compat.js'),
];
