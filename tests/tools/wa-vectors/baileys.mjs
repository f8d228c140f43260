// Loads the pinned Baileys 7 build from a scratch npm install outside the
// repository (BAILEYS_DIR, default /work/scratch-wa), so our generators
// import the oracle without vendoring it. See README.md beside this file.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { createRequire } from 'node:module';

export const BAILEYS_DIR = process.env.BAILEYS_DIR || '/work/scratch-wa';
const modules = join(BAILEYS_DIR, 'node_modules');

export async function loadBaileys() {
    const B = await import(pathToFileURL(join(modules, '@whiskeysockets/baileys/lib/index.js')).href);
    const constants = await import(pathToFileURL(join(modules, '@whiskeysockets/baileys/lib/WABinary/constants.js')).href);
    const pkg = createRequire(import.meta.url)(join(modules, '@whiskeysockets/baileys/package.json'));
    if (pkg.version !== '7.0.0-rc13')
        throw new Error(`expected baileys 7.0.0-rc13, found ${pkg.version}`);
    return { B, constants, version: pkg.version };
}

export function loadLibsignal() {
    return createRequire(import.meta.url)(join(modules, 'libsignal'));
}
