import { loadConfig } from './config/load.ts';
import { exitWith } from './fatal.ts';
import { runServer } from './server-process.ts';

runServer(loadConfig()).catch(exitWith);
