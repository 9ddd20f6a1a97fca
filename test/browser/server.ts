/** The browser tests serve pages with the repo's one static server (scripts/static-server.mjs). */
export { serve, type StaticServer } from '../../scripts/static-server.mjs';
