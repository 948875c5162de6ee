// `express4` is Express 4.21 installed under an alias; the tests use the Express 5 type package for it.
declare module 'express4' {
  import express from 'express';
  export default express;
}
