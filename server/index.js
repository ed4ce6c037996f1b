import { startServer } from './app.js';

await startServer();
