// `node --import ./test/support/module-log.mjs ...`: appends every module URL the process resolves to the
// file named by MODULE_LOG (test/memory.test.ts reads which packages a process really loaded).
import { register } from 'node:module';

register('./module-log-hooks.mjs', import.meta.url);
