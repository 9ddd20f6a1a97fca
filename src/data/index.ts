export { mnist, type Split } from './mnist.js';
