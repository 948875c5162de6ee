// No adapter: the test serves the app with Vite's dev server, which needs none.
export default { kit: {} };
