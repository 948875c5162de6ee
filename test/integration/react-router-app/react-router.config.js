export default {
  ssr: true,
  // Route middleware (stable behind this flag in React Router 7.9+), for the body-read-first route.
  future: { v8_middleware: true },
};
