// Loads a built Warden module the way its users do, through dist/<module>/index.js only, from the
// checkout a benchmark measures (which may be another one than this, given by --root or --warden).
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The public door of one module of the Warden build at `root`, e.g. importWardenModule(root, 'data'). */
export async function importWardenModule(root, module) {
  if (!/^[a-z]+$/.test(module))
    throw new Error(`"${module}" is not a module name; import dist/<module>/index.js`);
  return import(pathToFileURL(join(root, 'dist', module, 'index.js')).href);
}
