// Paths inside the repository, resolved from this file rather than the working directory.
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/\/$/, '');
export const RUN_DIR = `${REPO_ROOT}/.run`;
